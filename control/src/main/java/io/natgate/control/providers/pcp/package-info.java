/**
 * NAT-PMP (RFC 6886) and PCP (RFC 6887) port mapping for the clients on the gateway's inside ports:
 * {@link io.natgate.control.providers.pcp.PcpServer} speaks both protocols and keeps the mappings,
 * {@link io.natgate.control.providers.pcp.FirewallPortMapper} makes each a firewall session's inbound
 * mapping, and {@link io.natgate.control.providers.pcp.PcpProvider} serves them as a provider instance.
 */
package io.natgate.control.providers.pcp;
