package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4;

/**
 * One inside host and what it holds against the per-client quotas (0: unlimited).
 */
public record ClientView(int insideAddress, int portsInUse, int portQuota, int sessions, int sessionQuota)
{
    public String toJson()
    {
        return "{\"inside\":\"" + Ipv4.toString(insideAddress) + "\",\"ports\":" + portsInUse + ",\"portQuota\":" +
            portQuota + ",\"sessions\":" + sessions + ",\"sessionQuota\":" + sessionQuota + "}";
    }
}
