/**
 * A VXLAN (RFC 7348) tunnel to a remote subnet behind a peer VTEP, as a provider instance:
 * {@link io.natgate.control.providers.vxlan.VxlanProvider}.
 */
package io.natgate.control.providers.vxlan;
