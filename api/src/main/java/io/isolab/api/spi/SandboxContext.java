package io.isolab.api.spi;

import java.nio.file.Path;

/**
 * What the host gives one sandbox.
 *
 * @param sandboxId {@code isolab-<backend>-<random>}: the name every host resource of this sandbox carries
 *                  (as its name, or as its prefix), so that leaks can be found and attributed
 * @param dir       a private directory for this sandbox, removed by the host on destroy
 */
public record SandboxContext(String sandboxId, Path dir) {
}
