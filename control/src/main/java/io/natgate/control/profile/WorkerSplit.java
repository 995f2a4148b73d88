package io.natgate.control.profile;

import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.WorkerPorts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the NAT is split between its workers, as {@code natgate profiles show} explains it: each worker
 * owns a range of the public ports ({@link WorkerPorts#describe}) and a share of the tables
 * ({@link NatConfig#forWorker}: the total divided by the workers, rounded up), and a client (an inside
 * address) lives on one worker with all its mappings, sessions and quotas (docs/workers.md).
 *
 * @param nat     the whole gateway's NAT configuration.
 * @param workers the NAT workers.
 * @param pinning which CPU each worker runs on, when pinned.
 */
public record WorkerSplit(NatConfig nat, int workers, CpuPinning pinning)
{
    /**
     * @return what the split means, one line.
     */
    public String summary()
    {
        return workers + " workers, each the single writer of its own tables and port ranges: a client (inside " +
            "address) lives on one worker, chosen by a hash of the address, with all its mappings, sessions and " +
            "quotas; an inbound packet goes to the worker owning its public port. Each worker's tables are the " +
            "totals divided by " + workers + ", rounded up.";
    }

    /**
     * @return a header and a row per worker: its public port ranges (ICMP identifiers from the one at or
     * above 1024), its table shares and, when pinned, its CPU.
     */
    public List<String[]> rows()
    {
        final WorkerPorts ports = new WorkerPorts(workers);
        final boolean pinned = !pinning.cpusOfWorker(0).isEmpty();
        final List<String[]> rows = new ArrayList<>();
        rows.add(pinned ?
            new String[] {"WORKER", "PUBLIC PORTS", "SESSIONS", "MAPPINGS", "CLIENTS", "FRAGMENT FLOWS", "CPU"} :
            new String[] {"WORKER", "PUBLIC PORTS", "SESSIONS", "MAPPINGS", "CLIENTS", "FRAGMENT FLOWS"});
        for (int worker = 0; worker < workers; worker++)
        {
            final NatConfig share = nat.forWorker(worker, workers);
            final String[] row = {Integer.toString(worker), ports.describe(worker), Integer.toString(share.maxSessions()),
                Integer.toString(share.maxMappings()), Integer.toString(share.maxClients()),
                Integer.toString(share.maxFragmentFlows())};
            rows.add(pinned ? append(row, pinning.cpusOfWorker(worker).getFirst().toString()) : row);
        }
        return rows;
    }

    private static String[] append(final String[] row, final String cell)
    {
        final String[] longer = Arrays.copyOf(row, row.length + 1);
        longer[row.length] = cell;
        return longer;
    }
}
