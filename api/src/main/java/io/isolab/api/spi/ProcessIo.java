package io.isolab.api.spi;

/** The two streams of a sandboxed process. Backends must deliver all output before reporting the exit. */
public record ProcessIo(OutputSink stdout, OutputSink stderr) {
}
