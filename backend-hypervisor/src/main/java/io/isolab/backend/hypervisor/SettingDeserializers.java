package io.isolab.backend.hypervisor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.isolab.api.Units;
import java.io.IOException;
import java.time.Duration;

/** Settings with units ({@code 256m}, {@code 60s}), parsed by {@link Units} as the rest of the config is. */
final class SettingDeserializers {
    private SettingDeserializers() {
    }

    static final class Bytes extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                return Units.parseBytes(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Long.class);
            }
        }
    }

    static final class Time extends JsonDeserializer<Duration> {
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
