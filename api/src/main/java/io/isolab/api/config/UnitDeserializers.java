package io.isolab.api.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.isolab.api.Units;
import java.io.IOException;
import java.time.Duration;

/**
 * Config values with units ({@code 64m}, {@code 10s}), parsed by {@link Units} like the command line's. A
 * backend's settings record uses them too: {@code @JsonDeserialize(using = UnitDeserializers.Bytes.class)}.
 */
public final class UnitDeserializers {
    private UnitDeserializers() {
    }

    public static final class Bytes extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return Units.parseBytes(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Long.class);
            }
        }
    }

    public static final class Time extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return Units.parseDuration(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Duration.class);
            }
        }
    }
}
