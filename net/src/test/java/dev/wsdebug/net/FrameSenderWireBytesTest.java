package dev.wsdebug.net;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two performance paths of the send side: {@link FrameSender} writes large unmasked payloads
 * as header + the payload array, and {@link WireTap} keeps a view of bytes written during a feed
 * instead of a copy. Both must leave the bytes on the wire and the conversation's events as they
 * were.
 */
class FrameSenderWireBytesTest {
    private static final int[] SIZES = {0, 1, 125, 126, 511, 512, 513, 1024, 65535, 65536, 70000};

    @Test
    void unmaskedHeaderMatchesFrameWriter() {
        FrameWriter writer = new FrameWriter(new Random(1));
        for (int size : SIZES) {
            byte[] payload = new byte[size];
            for (int opcode : new int[] {Opcode.CONTINUATION, Opcode.TEXT, Opcode.BINARY, Opcode.PING, 0x3}) {
                for (int flags = 0; flags < 16; flags++) {
                    FrameSpec spec = new FrameSpec((flags & 8) != 0, (flags & 4) != 0, (flags & 2) != 0, (flags & 1) != 0,
                            opcode, null, 0, payload);
                    byte[] whole = writer.encode(spec);
                    byte[] header = FrameSender.unmaskedHeader(spec);
                    assertThat(header.length + size).as("size %d", size).isEqualTo(whole.length);
                    assertThat(java.util.Arrays.copyOf(whole, header.length)).as("size %d flags %d", size, flags)
                            .isEqualTo(header);
                }
            }
        }
    }

    @Test
    void serverRepliesWrittenDuringAFeedReachTheWireAndTheConversationUnchanged() {
        Random random = new Random(7);
        FrameWriter client = new FrameWriter(random);
        List<byte[]> payloads = new ArrayList<>();
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (int size : SIZES) {
            byte[] p = new byte[size];
            random.nextBytes(p);
            payloads.add(p);
            in.writeBytes(client.encode(FrameSpec.of(Opcode.BINARY, p).withMask(client.randomMaskKey())));
        }

        List<Event> events = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        FrameSender[] out = new FrameSender[1];
        // echoes every client message from inside the conversation's feed, as ServerConnection does
        Conversation echoing = new Conversation("1", e -> {
            events.add(e);
            if (e instanceof MessageEvent m && m.dir() == Direction.C2S) {
                out[0].message(m.message().opcode(), m.message().payload());
            }
        });
        echoing.assumeWebSocket(null);
        ch.pipeline().addLast(new WireTap(echoing, Direction.C2S), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
            }
        });
        out[0] = new FrameSender(ch, Direction.S2C);

        ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(in.toByteArray()));

        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            wire.writeBytes(bytes);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        FrameWriter server = new FrameWriter();
        for (byte[] p : payloads) {
            expected.writeBytes(server.encode(FrameSpec.of(Opcode.BINARY, p)));
        }
        assertThat(wire.toByteArray()).isEqualTo(expected.toByteArray());

        List<byte[]> echoedInConversation = new ArrayList<>();
        int frames = 0;
        for (Event e : events) {
            if (e instanceof MessageEvent m && m.dir() == Direction.S2C) {
                echoedInConversation.add(m.message().payload());
            }
            if (e instanceof FrameEvent f) {
                frames++;
                assertThat(f.frame().violations()).isEmpty();
            }
        }
        assertThat(frames).isEqualTo(2 * SIZES.length);
        assertThat(echoedInConversation).hasSize(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            assertThat(echoedInConversation.get(i)).isEqualTo(payloads.get(i));
        }
        ch.finishAndReleaseAll();
    }
}
