package dev.wsdebug.capture.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed files on the test class path are exactly {@link SeedCorpus}; other files there (saved
 * findings, hand-made inputs) are left alone. {@code -Dwsdebug.fuzz.writeSeeds=true} writes them
 * into {@code src/test/resources} first (run from the module directory, as surefire does).
 */
class SeedCorpusTest {
    private static final String PACKAGE = "dev/wsdebug/capture/fuzz/";

    @Test
    void seedFilesAreTheSeedCorpus() throws IOException {
        boolean write = Boolean.getBoolean("wsdebug.fuzz.writeSeeds");
        for (Map.Entry<String, Map<String, byte[]>> dir : SeedCorpus.all().entrySet()) {
            for (Map.Entry<String, byte[]> seed : dir.getValue().entrySet()) {
                String resource = PACKAGE + dir.getKey() + "/" + seed.getKey();
                if (write) {
                    Path file = Path.of("src/test/resources").resolve(resource);
                    Files.createDirectories(file.getParent());
                    Files.write(file, seed.getValue());
                    continue;
                }
                try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
                    assertThat(in).as("seed file %s (write the corpus with -Dwsdebug.fuzz.writeSeeds=true)", resource).isNotNull();
                    assertThat(in.readAllBytes()).as(resource).isEqualTo(seed.getValue());
                }
            }
        }
    }
}
