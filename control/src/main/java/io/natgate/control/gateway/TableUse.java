package io.natgate.control.gateway;

import java.util.Map;

/**
 * How full the NAT tables are, read on the worker in one short task (counts it keeps, no walk).
 *
 * @param portsByPublicAddress each public address to the ports (all protocols) in use on it, in pool order.
 * @param portCapacity         public ports there are: addresses times TCP, UDP and ICMP times 65,535.
 * @param memoryBytes          what the tables take, all preallocated.
 */
public record TableUse(
    int sessions, int sessionCapacity, int mappings, int mappingCapacity, int clients, int clientCapacity,
    int portsInUse, long portCapacity, Map<Integer, Integer> portsByPublicAddress, long memoryBytes)
{
}
