package io.natgate.control.providers;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natgate.control.config.ProviderConfig;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.datapath.nat.Ipv4;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Coverage-guided fuzzing of the PCP (RFC 6887) and NAT-PMP (RFC 6886) server: sequences of
 * arbitrary requests from a few clients, with the clock moving. A finding is an exception out of
 * the server, a response longer than the protocol's maximum, or a response that is not marked as
 * one or does not carry the request's version and opcode (RFC 6887 section 7.2, RFC 6886 section 3).
 */
class PcpServerFuzzTest
{
    private static final int[] CLIENTS =
        {Ipv4.parse("10.0.0.2"), Ipv4.parse("10.0.0.3"), Ipv4.parse("127.0.0.1"), Ipv4.parse("203.0.113.1")};
    private static final int MAX_REQUESTS = 32;

    private final UnsafeBuffer request = new UnsafeBuffer(new byte[PcpServer.MAX_MESSAGE_LENGTH * 2]);
    private final UnsafeBuffer response = new UnsafeBuffer(new byte[PcpServer.MAX_MESSAGE_LENGTH]);

    @FuzzTest
    void shouldAnswerEveryRequestWithAWellFormedResponseOrNothing(final FuzzedDataProvider data)
    {
        final FakePortMapper mapper = new FakePortMapper(Ipv4.parse("203.0.113.1"));
        final PcpServer server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan")), mapper);
        long nowNs = TimeUnit.HOURS.toNanos(1);
        server.activate(nowNs);
        for (int n = 0; n < MAX_REQUESTS && data.remainingBytes() > 2; n++)
        {
            final int client = CLIENTS[data.consumeInt(0, CLIENTS.length - 1)];
            nowNs += data.consumeLong(0, TimeUnit.HOURS.toNanos(25));
            final byte[] bytes = data.consumeBytes(data.consumeInt(0, request.capacity()));
            request.putBytes(0, bytes);
            final int length = server.onRequest(client, request, 0, bytes.length, response, 0, nowNs);
            if (length == 0)
            {
                continue;
            }
            if (length < 0 || length > PcpServer.MAX_MESSAGE_LENGTH)
            {
                throw new AssertionError("response of " + length + " bytes");
            }
            final int version = response.getByte(0) & 0xFF;
            final int opcode = response.getByte(1) & 0xFF;
            if ((opcode & PcpServer.RESPONSE_BIT) == 0)
            {
                throw new AssertionError("response without the R bit: opcode " + opcode);
            }
            if (bytes.length >= 2 && (version != (bytes[0] & 0xFF) && version != PcpServer.PCP_VERSION &&
                version != PcpServer.NATPMP_VERSION))
            {
                throw new AssertionError("response version " + version + " to a request of version " + (bytes[0] & 0xFF));
            }
        }
        server.deactivate();
    }
}
