package io.isolab.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isolab.benchmarks.Harness;
import io.isolab.benchmarks.Synthetic;
import io.isolab.benchmarks.workload.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens report.html in Debian's headless Chromium through chromedriver, keeps a screenshot under
 * target/, and checks that every chart rendered (its SVG exists and has a size) and that the console
 * stayed clean. The report is rendered from synthetic results (made up, see {@link Synthetic}): this tests
 * the renderer in a real browser, not the figures.
 */
class BrowserReportTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void theReportRendersInChromiumWithItsChartsAndNoConsoleErrors() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
        Path target = Path.of(System.getProperty("isolab.test.output", "target"));
        Path out = target.resolve("browser-report");
        Path profile = Files.createTempDirectory("isolab-chromium-");
        Harness.write(Synthetic.results(1, 1.0), out);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root, on a machine with no network: no sandbox, and nothing that phones home
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,3000", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(out.resolve("report.html").toUri().toString());
            Path shot = target.resolve("report-screenshot.png");
            Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
            assertTrue(Files.size(shot) > 10_000, "a screenshot of a rendered page");

            List<WebElement> charts = driver.findElements(By.cssSelector("svg[id^='chart-']"));
            assertEquals(Workload.values().length + 1, charts.size(), "a chart per workload and the phase breakdown");
            for (WebElement svg : charts) {
                Rectangle box = svg.getRect();
                assertTrue(box.getWidth() > 100 && box.getHeight() > 100, svg.getAttribute("id") + " has size " + box);
                int drawn = svg.findElements(By.cssSelector("path, rect, line, text")).size();
                assertTrue(drawn > 20, svg.getAttribute("id") + " draws something: " + drawn + " elements");
            }
            assertTrue(driver.findElement(By.tagName("h1")).getText().contains("isolab bench"));

            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
            assertTrue(errors.isEmpty(), "console errors: " + errors);
        } finally {
            driver.quit();
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
