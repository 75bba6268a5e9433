/**
 * The service provider interface every backend implements, modelled on libvirt's driver table: a small
 * mandatory core ({@link io.isolab.api.spi.BackendProvider}, {@link io.isolab.api.spi.BackendDriver},
 * {@link io.isolab.api.spi.SandboxHandle}) with optional operations that fail with an explicit
 * {@link io.isolab.api.UnsupportedCapabilityException} by default.
 *
 * <p>Users never see these types: {@link io.isolab.api.host.Backend} and {@link io.isolab.api.host.Sandbox} wrap
 * them and do, once for every backend, what must never differ between backends: checking a spec against
 * the declared capabilities before anything runs, the lifecycle state machine, the wall-clock timeout,
 * bounded output capture, phase timing, leases for orphan collection, and idempotent destroy.
 */
package io.isolab.api.spi;
