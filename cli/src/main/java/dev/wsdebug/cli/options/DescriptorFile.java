package dev.wsdebug.cli.options;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the {@code --proto} descriptor set, once, before any message is decoded (decoders do no I/O). */
final class DescriptorFile {
    /** Descriptor sets are kilobytes; a bigger file is a mistake (a capture, an image), not a schema. */
    static final long MAX_BYTES = 64L << 20;

    private DescriptorFile() {
    }

    /** @throws IllegalArgumentException with one sentence when the file cannot be read */
    static byte[] read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("--proto: " + file + " is a directory, not a descriptor set.");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("--proto: " + file + " is larger than " + (MAX_BYTES >> 20)
                        + " MiB, too large for a descriptor set.");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--proto: cannot read " + file + ": no such file.");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("--proto: cannot read " + file + ": permission denied.");
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("--proto: cannot read " + file + ": " + e.getMessage() + ".");
        }
    }
}
