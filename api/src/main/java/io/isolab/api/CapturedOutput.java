package io.isolab.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a sandboxed process wrote to one stream, bounded.
 *
 * @param bytes      the first bytes written, at most the spec's {@code outputLimitBytes}
 * @param totalBytes everything written, counted even when not kept
 * @param truncated  whether {@code totalBytes > bytes.length}
 */
@JsonIgnoreProperties("bytes")
public record CapturedOutput(byte[] bytes, long totalBytes, boolean truncated) {

    public static final CapturedOutput EMPTY = new CapturedOutput(new byte[0], 0, false);

    public CapturedOutput {
        bytes = bytes.clone();
        if (totalBytes < bytes.length) {
            throw new IllegalArgumentException("total " + totalBytes + " < kept " + bytes.length);
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The kept bytes as UTF-8 text. */
    @JsonProperty("text")
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedOutput other && Arrays.equals(bytes, other.bytes)
                && totalBytes == other.totalBytes && truncated == other.truncated;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + Long.hashCode(totalBytes);
    }

    @Override
    public String toString() {
        return "CapturedOutput[" + totalBytes + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
