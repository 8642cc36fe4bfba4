package dev.wsdebug.ui.browser;

import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analysis in the page: a badge on the grid rows of connections with findings, and on the
 * selected connection a card per finding whose evidence jumps to the frame it names.
 */
class UiFindingsTest {
    @TempDir
    Path dir;

    @Test
    void findingsShowAsBadgesAndCardsWhoseEvidenceJumpsToTheFrame() {
        Browser.assumeInstalled();
        Path file = TestCaptures.write(dir.resolve("t.wsdb"));
        try (UiServer ui = UiServer.start(new UiOptions()); Browser b = Browser.start()) {
            ui.captures().open(file);
            b.open(ui.url().toString());
            // connection 2: the refused upgrade; 3: an over-long ping, then a drop
            try {
                b.until(d -> "error".equals(b.await("#grid-body .vl-row[data-conn='2']").findElements(
                        org.openqa.selenium.By.cssSelector("[data-finding]")).stream().findFirst()
                        .map(e -> e.getDomAttribute("data-finding")).orElse(null)));
            } catch (RuntimeException e) {
                b.screenshot("findings-debug");
                throw new AssertionError(b.js("return document.querySelector(\"#grid-body .vl-row[data-conn='2']\").outerHTML")
                        + " " + b.js("return fetch('/api/captures/1/connections').then(r => r.text())"), e);
            }
            b.await("#grid-body .vl-row[data-conn='3']").click();
            b.until(d -> !b.all("[data-testid=finding]").isEmpty());
            List<String> rules = b.all("[data-testid=finding]").stream().map(e -> e.getDomAttribute("data-rule")).toList();
            assertThat(rules).contains("protocol-violation");
            WebElement violation = b.all("[data-testid=finding]").stream()
                    .filter(e -> "protocol-violation".equals(e.getDomAttribute("data-rule"))).findFirst().orElseThrow();
            assertThat(violation.getText()).contains("control-frame-too-long").contains("fix");
            WebElement evidence = violation.findElement(org.openqa.selenium.By.cssSelector("[data-testid=finding-evidence]"));
            String seq = evidence.getText().substring(1);
            evidence.click();
            b.until(d -> seq.equals(b.find("#detail-body").getDomAttribute("data-seq")));
            b.screenshot("findings");
        }
    }
}
