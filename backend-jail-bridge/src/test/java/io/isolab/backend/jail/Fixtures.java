package io.isolab.backend.jail;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test fixtures under {@code src/test/resources/io/isolab/backend/jail/fixtures}: a header of {@code #} lines saying
 * where the sample came from (real output from FreeBSD's own tests, or hand-written, and from which source), then
 * the output itself, verbatim.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** The output part of a fixture; fails when the fixture does not state its provenance. */
    public static String load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            int body = 0;
            while (body < lines.size() && lines.get(body).startsWith("#")) {
                body++;
            }
            assertFalse(body == 0 || !lines.get(0).startsWith("# Provenance:"), name + " does not state its provenance");
            return String.join("\n", lines.subList(body, lines.size())) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
