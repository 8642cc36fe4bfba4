package dev.wsdebug.cli.options;

import dev.wsdebug.capture.replay.JsonPath;
import dev.wsdebug.capture.replay.MockScript;
import dev.wsdebug.capture.replay.Recording;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code serve --mock CAPTURE [--conn ID] [--ignore PATH]…}: the capture read into the script the server plays. */
public final class MockCapture {
    /** Why the capture cannot be played, in one sentence. */
    public static final class Unusable extends Exception {
        Unusable(String sentence) {
            super(sentence);
        }
    }

    private MockCapture() {
    }

    /**
     * Reads the capture (any file {@code read} takes) and cuts its connections into a script.
     *
     * @param err where a capture's warning goes (a store not closed cleanly still plays what it holds)
     */
    public static MockScript load(String file, String conn, List<String> ignore, PrintStream err) throws Unusable {
        List<JsonPath> paths = new ArrayList<>();
        for (String p : ignore) {
            try {
                paths.add(JsonPath.parse(p));
            } catch (IllegalArgumentException e) {
                throw new Unusable("--ignore: " + e.getMessage());
            }
        }
        Recording recording = new Recording();
        try (CaptureInputs inputs = CaptureInputs.open(List.of(file))) {
            inputs.replay(recording, new DecodeOptions(), name -> { }, (reader, warning) ->
                    err.println("wsdebug serve: --mock " + file + ": " + warning));
        } catch (CaptureInputs.Unreadable e) {
            throw new Unusable("--mock: " + e.getMessage());
        }
        try {
            return MockScript.of(recording.connections(), conn, paths);
        } catch (IllegalArgumentException e) {
            throw new Unusable("--mock " + file + ": " + e.getMessage());
        }
    }
}
