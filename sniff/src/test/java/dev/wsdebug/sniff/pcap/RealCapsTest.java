package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the corpus tests look for it, and what its absence does: skip, or fail under CI=true. */
class RealCapsTest {

    @Test
    void theRepositoryRootIsFoundFromTheModuleFolder() {
        Path root = RealCaps.repositoryRoot();
        assertThat(root).isNotNull();
        assertThat(root.resolve("wsdebug")).isRegularFile();
        assertThat(root.resolve("sniff/pom.xml")).isRegularFile();
    }

    @Test
    void aMissingCorpusSkipsOrFailsUnderCi(@TempDir Path dir) {
        Path root = dir.resolve("repo");
        assertThatThrownBy(() -> RealCaps.dir(root, false)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("../shared/realcaps");
        assertThatThrownBy(() -> RealCaps.dir(root, true)).isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("CI=true requires it");
        assertThatThrownBy(() -> RealCaps.dir(null, true)).isInstanceOf(AssertionFailedError.class);
    }
}
