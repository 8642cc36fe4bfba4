package dev.wsdebug.capture.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The decoders wsdebug knows, in the order they are asked: specific protocols first (their
 * handshake or their first bytes say who they are), generic formats last.
 */
public final class Decoders {
    private Decoders() {
    }

    /** Every decoder, specific protocols before generic formats. */
    public static List<PayloadDecoder> all() {
        List<PayloadDecoder> out = new ArrayList<>();
        // text protocols over JSON or their own framing (Socket.IO, SockJS, Phoenix, Action Cable)
        out.add(new SocketIoDecoder());
        out.add(new SockJsDecoder());
        out.add(new PhoenixDecoder());
        out.add(new ActionCableDecoder());
        // text protocols with frames of their own (STOMP) and binary protocols (MQTT)
        out.add(new StompDecoder());
        out.add(new MqttDecoder());
        // GraphQL over WebSocket, SignalR, WAMP
        out.add(new GraphQlWsDecoder());
        out.add(new SignalRDecoder());
        out.add(new WampDecoder());
        out.add(new JsonRpcDecoder());
        // generic formats, last: JSON, then binary ones (MessagePack, CBOR, protobuf)
        out.add(new JsonDecoder());
        out.add(new MessagePackDecoder());
        out.add(new CborDecoder());
        out.add(new ProtobufDecoder());
        return out;
    }

    /** The decoder of this name (as {@code --decode} takes it), or null. */
    public static PayloadDecoder named(String name) {
        for (PayloadDecoder d : all()) {
            if (d.name().equals(name.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        return null;
    }

    /** The names, for help texts and errors. */
    public static List<String> names() {
        return all().stream().map(PayloadDecoder::name).toList();
    }
}
