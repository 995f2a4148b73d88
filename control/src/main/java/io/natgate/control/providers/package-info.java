/**
 * Traversal providers running on the Connectivity Platform ({@link io.natgate.control.cp}), and what they
 * share: {@link io.natgate.control.providers.TraversalProvider}, the lifecycle of a provider instance
 * (create, register, active, terminate for any reason, deregister from the provider's own thread, register
 * again, destroy once); {@link io.natgate.control.providers.LocalUdp}, the gateway's own UDP endpoints
 * through the forwarder's local port (datagrams to a bound endpoint punted to the control plane, datagrams
 * from the gateway's addresses injected); and {@link io.natgate.control.providers.Providers}, which starts
 * the providers of the config file with the gateway. docs/providers.md says how to configure and use them.
 */
package io.natgate.control.providers;
