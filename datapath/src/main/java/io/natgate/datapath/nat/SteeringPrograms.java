package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;

import static io.natgate.bindings.bpf.ClassicBpf.BPF_A;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_ABS;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_ALU;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_AND;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_B;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_DIV;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_H;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_IND;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_JEQ;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_JGE;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_JMP;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_JSET;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_K;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_LD;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_LDX;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_MISC;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_MSH;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_MUL;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_RET;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_RSH;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_SUB;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_TAX;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_W;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_X;
import static io.natgate.bindings.bpf.ClassicBpf.BPF_XOR;
import static io.natgate.bindings.bpf.ClassicBpf.SKF_AD_OFF;
import static io.natgate.bindings.bpf.ClassicBpf.SKF_AD_PROTOCOL;
import static io.natgate.bindings.bpf.ClassicBpf.SKF_NET_OFF;
import static io.natgate.bindings.bpf.ClassicBpf.jump;
import static io.natgate.bindings.bpf.ClassicBpf.stmt;

/**
 * Classic BPF programs for a {@code PACKET_FANOUT_CBPF} group of one AF_PACKET socket per worker on an
 * interface, members joined in worker order: the kernel runs the program on each received frame and
 * hands the frame to the socket of the worker it returns, so each run-to-completion worker reads its
 * own flows. They compute what {@link WorkerSteering#insideWorker(int, int)} and
 * {@link WorkerPorts#owner(int)} compute, in the same 32-bit steps.
 * <p>
 * The kernel knows only the packet: a frame it cannot place (not IPv4, any fragment from the outside,
 * ICMP from the outside, a static mapping's endpoint, truncated headers) goes where the program says,
 * and the worker that receives it re-steers it in software ({@link FlowSteering}) and hands it to its
 * owner, counted. The programs read the ethertype from skb->protocol (the ancillary load, after the
 * kernel took a VLAN tag into metadata, so a tagged frame is steered by its inner packet) and the
 * headers at {@code SKF_NET_OFF}-relative offsets, which hold wherever skb->data points.
 */
public final class SteeringPrograms
{
    private static final int ETHERTYPE_IPV4 = 0x0800;
    /** The flags-and-offset word's MF bit and fragment offset: any of them set makes a fragment. */
    private static final int FRAGMENT_BITS = 0x3FFF;

    private SteeringPrograms()
    {
    }

    /**
     * For the inside interface: an IPv4 packet's worker is its source's,
     * {@code WorkerSteering.insideWorker(source, workers)}, for every protocol and fragment (a client's
     * fragments share its address). Anything else returns 0: non-IPv4 frames (ARP) and packets too short
     * to hold a source address. An ICMP error from the inside is steered by its source too; its flow is
     * the quoted packet's, so its receiver re-steers it.
     *
     * @param workers the number of workers, 1 to {@link WorkerPorts#MAX_WORKERS}.
     * @return the program, one packed instruction per element.
     */
    public static long[] inside(final int workers)
    {
        checkWorkers(workers);
        return new long[] {
            /* 0 */ stmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
            /* 1 */ jump(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV4, 0, 9), // not IPv4: 11
            /* 2 */ stmt(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 12), // source address
            /* 3 */ stmt(BPF_ALU | BPF_MUL | BPF_K, WorkerSteering.MULTIPLIER), // wraps mod 2^32, as Java's int multiply
            /* 4 */ stmt(BPF_MISC | BPF_TAX, 0),
            /* 5 */ stmt(BPF_ALU | BPF_RSH | BPF_K, 16),
            /* 6 */ stmt(BPF_ALU | BPF_XOR | BPF_X, 0), // h ^= h >>> 16
            /* 7 */ stmt(BPF_ALU | BPF_AND | BPF_K, 0xFFFF),
            /* 8 */ stmt(BPF_ALU | BPF_MUL | BPF_K, workers), // under 2^24: no wrap
            /* 9 */ stmt(BPF_ALU | BPF_RSH | BPF_K, 16),
            /* 10 */ stmt(BPF_RET | BPF_A, 0),
            /* 11 */ stmt(BPF_RET | BPF_K, 0),
        };
    }

    /**
     * For the outside interface: an unfragmented IPv4 TCP or UDP packet's worker is its destination
     * port's owner, {@code new WorkerPorts(workers).owner(port)}. Everything else returns 0: non-IPv4
     * frames, every fragment (a later one has no port and the kernel cannot remember where its first went,
     * so the first goes to worker 0 as well and worker 0 re-steers the datagram whole), ICMP (an echo's
     * identifier or an error's quoted port would need more than a classic program should hold), other
     * protocols, and packets too short for their ports. A static mapping's endpoint lands on its port's
     * owner and is handed to the inside host's worker from there.
     *
     * @param workers the number of workers, 1 to {@link WorkerPorts#MAX_WORKERS}.
     * @return the program, one packed instruction per element.
     */
    public static long[] outside(final int workers)
    {
        checkWorkers(workers);
        return new long[] {
            /* 0 */ stmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
            /* 1 */ jump(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV4, 0, 17), // not IPv4: 19
            /* 2 */ stmt(BPF_LD | BPF_H | BPF_ABS, SKF_NET_OFF + 6), // flags and fragment offset
            /* 3 */ jump(BPF_JMP | BPF_JSET | BPF_K, FRAGMENT_BITS, 15, 0), // a fragment: 19
            /* 4 */ stmt(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 9), // protocol
            /* 5 */ jump(BPF_JMP | BPF_JEQ | BPF_K, Ipv4Protocols.TCP, 1, 0), // TCP: 7
            /* 6 */ jump(BPF_JMP | BPF_JEQ | BPF_K, Ipv4Protocols.UDP, 0, 12), // neither: 19
            /* 7 */ stmt(BPF_LDX | BPF_B | BPF_MSH, SKF_NET_OFF), // X = the IP header's length
            /* 8 */ stmt(BPF_LD | BPF_H | BPF_IND, SKF_NET_OFF + 2), // destination port
            /* 9 */ jump(BPF_JMP | BPF_JGE | BPF_K, WorkerPorts.FIRST_DYNAMIC_PORT, 5, 0), // dynamic: 15
            /* 10 */ jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 0), // port 0: 19
            /* 11 */ stmt(BPF_ALU | BPF_SUB | BPF_K, 1),
            /* 12 */ stmt(BPF_ALU | BPF_MUL | BPF_K, workers),
            /* 13 */ stmt(BPF_ALU | BPF_DIV | BPF_K, WorkerPorts.PRIVILEGED_PORTS),
            /* 14 */ stmt(BPF_RET | BPF_A, 0),
            /* 15 */ stmt(BPF_ALU | BPF_SUB | BPF_K, WorkerPorts.FIRST_DYNAMIC_PORT),
            /* 16 */ stmt(BPF_ALU | BPF_MUL | BPF_K, workers), // under 64512 * 256 < 2^24: no wrap
            /* 17 */ stmt(BPF_ALU | BPF_DIV | BPF_K, WorkerPorts.DYNAMIC_PORTS),
            /* 18 */ stmt(BPF_RET | BPF_A, 0),
            /* 19 */ stmt(BPF_RET | BPF_K, 0),
        };
    }

    private static void checkWorkers(final int workers)
    {
        if (workers < 1 || workers > WorkerPorts.MAX_WORKERS)
        {
            throw new ConfigurationException("workers", workers, "must be between 1 and " + WorkerPorts.MAX_WORKERS);
        }
    }
}
