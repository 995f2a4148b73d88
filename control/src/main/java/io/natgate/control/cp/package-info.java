/**
 * The Connectivity Platform: traversal providers (port mapping, tunnels, relays) plug into the
 * gateway here, after the CPNATFWT provider model of DESIGN.md and the terminate-session seed.
 * <p>
 * A provider creates an instance on {@link io.natgate.control.cp.ConnectivityPlatform} with its
 * {@link io.natgate.control.cp.ProviderDispatch dispatch table} and a user context, registers it
 * and later deregisters and destroys it; the platform calls it back on its own threads. A
 * registered instance owns one {@link io.natgate.datapath.port.ProviderPort} of the pipeline (a
 * raw-IP outside port made by {@link io.natgate.control.cp.ProviderSlots} before the pipeline
 * starts): prefixes the gateway {@link io.natgate.control.cp.ConnectivityPlatform#addRoute routes}
 * to it, once the provider found their transport ids reachable, leave the datapath through that
 * port into send buffers, and what the provider indicates enters the datapath through it.
 * <p>
 * Lifecycle steps go to a {@link io.natgate.control.cp.ProviderEventListener} (the journal's);
 * {@link io.natgate.control.cp.ConnectivityPlatform#instances()} and
 * {@link io.natgate.control.cp.ConnectivityPlatform#describe()} list the instances for the admin
 * endpoint.
 */
package io.natgate.control.cp;
