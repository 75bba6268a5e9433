package io.isolab.benchmarks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Tells the user where the run is and how long it has left: a bar redrawn in place on a terminal, a
 * line every few percent otherwise (a log file, CI).
 */
public final class Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private int lastPercent = -1;
    private long lastLine;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A terminal when the JVM has a console and TERM is not dumb. */
    public static Progress forConsole(PrintStream out) {
        String term = System.getenv("TERM");
        return new Progress(out, System.console() != null && term != null && !term.equals("dumb"));
    }

    /** Says something on its own line (clearing the bar first). */
    public synchronized void say(String line) {
        if (terminal && lastPercent >= 0) {
            out.print("\r\033[K");
        }
        out.println(line);
        out.flush();
        lastPercent = terminal ? -1 : lastPercent;
    }

    public synchronized void update(double fraction, String doing, Duration left) {
        int percent = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
        String eta = left == null ? "" : " ~" + format(left) + " left";
        if (terminal) {
            int filled = percent * WIDTH / 100;
            out.print("\r\033[K[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                    + String.format(Locale.ROOT, "%3d%%", percent) + eta + "  " + doing);
            out.flush();
            lastPercent = percent;
        } else {
            long now = System.nanoTime();
            if (percent / 10 != lastPercent / 10 || now - lastLine > 30_000_000_000L) {
                out.println(String.format(Locale.ROOT, "%3d%%", percent) + eta + "  " + doing);
                out.flush();
                lastPercent = percent;
                lastLine = now;
            }
        }
    }

    public synchronized void done() {
        if (terminal && lastPercent >= 0) {
            out.print("\r\033[K");
            out.flush();
        }
        lastPercent = -1;
    }

    public static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
