package io.natgate.control.providers;

import io.natgate.control.providers.pcp.PcpResult;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.control.providers.pcp.PortMapper;

import io.natgate.control.config.ProviderConfig;
import io.natgate.control.providers.PcpMessages.Request;
import io.natgate.control.providers.PcpMessages.Response;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.natgate.control.providers.PcpMessages.nonce;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PCP and NAT-PMP server against request vectors built from RFC 6887's and RFC 6886's message
 * formats: every request, well-formed or not, gets the response the RFCs prescribe (or is dropped where
 * they say so), and nothing a client sends makes the server throw.
 */
class PcpServerTest
{
    private static final int CLIENT = Ipv4.parse("10.0.0.2");
    private static final int CLIENT2 = Ipv4.parse("10.0.0.3");
    private static final int PUBLIC = Ipv4.parse("203.0.113.1");
    private static final int REMOTE = Ipv4.parse("198.51.100.7");
    private static final int TCP = Ipv4Protocols.TCP;
    private static final int UDP = Ipv4Protocols.UDP;
    private static final long START_NS = TimeUnit.HOURS.toNanos(1);

    private final FakePortMapper mapper = new FakePortMapper(PUBLIC);
    private PcpServer server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan")), mapper);
    private long nowNs = START_NS;

    PcpServerTest()
    {
        server.activate(nowNs);
    }

    private Response send(final int source, final byte[] request)
    {
        final UnsafeBuffer response = new UnsafeBuffer(new byte[PcpServer.MAX_MESSAGE_LENGTH]);
        final int length = server.onRequest(source, new UnsafeBuffer(request), 0, request.length, response, 0, nowNs);
        if (length == 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        response.getBytes(0, bytes);
        return new Response(bytes);
    }

    private Response send(final Request request)
    {
        return send(CLIENT, request.bytes());
    }

    private Response map(final int internalPort, final long lifetime, final int nonceSeed)
    {
        return send(Request.map(CLIENT, lifetime, nonce(nonceSeed), TCP, internalPort, 0, 0));
    }

    private void advanceSeconds(final long seconds)
    {
        nowNs += TimeUnit.SECONDS.toNanos(seconds);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Common header, versions, lengths
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerAnnounceWithSuccessAndSecondsSinceTheEpochStarted()
    {
        advanceSeconds(42);

        final Response response = send(Request.announce(CLIENT));

        assertEquals(24, response.length());
        assertEquals(2, response.version());
        assertTrue(response.isResponse());
        assertEquals(PcpServer.OP_ANNOUNCE, response.opcode());
        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(0, response.lifetime());
        assertEquals(42, response.epoch());
    }

    @Test
    void shouldAnswerUnsupportedVersionWithTheVersionItSpeaks()
    {
        for (final int version : new int[] {1, 3, 255})
        {
            final Response response = send(new Request(version, PcpServer.OP_MAP, 3600, CLIENT));

            assertEquals(PcpResult.UNSUPP_VERSION, response.result(), "version " + version);
            assertEquals(2, response.version());
            assertEquals(PcpResult.LONG_ERROR_LIFETIME_S, response.lifetime());
        }
    }

    @Test
    void shouldAnswerMalformedRequestForShortLongUnalignedAndTruncatedRequests()
    {
        final byte[] map = Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).bytes();
        final byte[][] malformed = {
            java.util.Arrays.copyOf(Request.announce(CLIENT).bytes(), 20), // shorter than the header
            java.util.Arrays.copyOf(map, 26), // not a multiple of 4
            java.util.Arrays.copyOf(map, 56), // MAP without its last 4 bytes
            java.util.Arrays.copyOf(map, 1104), // longer than 1100 bytes
        };
        for (final byte[] request : malformed)
        {
            final Response response = send(CLIENT, request);

            assertNotNull(response, request.length + " bytes");
            assertEquals(PcpResult.MALFORMED_REQUEST, response.result(), request.length + " bytes");
            assertEquals(request[1], response.opcode(), "the opcode is copied");
        }
        assertEquals(0, server.mappingCount());
    }

    @Test
    void shouldDropRequestsOfUnderTwoBytesAndResponsesSilently()
    {
        assertNull(send(CLIENT, new byte[] {2}));
        assertNull(send(CLIENT, new byte[0]));
        final byte[] response = Request.announce(CLIENT).bytes();
        response[1] |= (byte)0x80;
        assertNull(send(CLIENT, response), "R bit set");
        assertEquals(3, server.dropped());
    }

    @Test
    void shouldAnswerUnsupportedOpcode()
    {
        final Response response = send(new Request(2, 5, 0, CLIENT).raw(new byte[12]));

        assertEquals(PcpResult.UNSUPP_OPCODE, response.result());
        assertEquals(5, response.opcode());
    }

    @Test
    void shouldAnswerAddressMismatchWhenTheClientFieldIsNotTheSource()
    {
        final Response response = send(CLIENT2, Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).bytes());

        assertEquals(PcpResult.ADDRESS_MISMATCH, response.result());
        assertArrayEquals(nonce(1), response.nonce(), "the nonce is copied so the client can match the response");
        assertEquals(0, server.mappingCount());
    }

    @Test
    void shouldAnswerNetworkFailureWhileInactiveAndGrantOnceActive()
    {
        server.deactivate();

        assertEquals(PcpResult.NETWORK_FAILURE, map(8080, 3600, 1).result());
        assertEquals(PcpResult.SHORT_ERROR_LIFETIME_S, map(8080, 3600, 1).lifetime());

        server.activate(nowNs);
        assertEquals(PcpResult.SUCCESS, map(8080, 3600, 1).result());
    }

    // ------------------------------------------------------------------------------------------------------------
    // MAP
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldGrantMapWithThePublicEndpointAndEchoTheRequestsFields()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(7), TCP, 8080, 0, 0));

        assertEquals(60, response.length());
        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(PcpServer.OP_MAP, response.opcode());
        assertEquals(3600, response.lifetime());
        assertArrayEquals(nonce(7), response.nonce());
        assertEquals(TCP, response.protocol());
        assertEquals(8080, response.internalPort());
        assertEquals(8080, response.externalPort(), "the NAT prefers the internal port");
        assertEquals(PUBLIC, response.externalAddress());
        final FakePortMapper.Open open = mapper.mapping(TCP, CLIENT, 8080);
        assertEquals(0, open.remoteAddress(), "any remote");
        assertTrue(open.lifetimeNs() > TimeUnit.SECONDS.toNanos(3600), "the NAT keeps it a little longer");
    }

    @Test
    void shouldClampRequestedLifetimesToTheConfiguredMinimumAndMaximum()
    {
        server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.SECONDS.toNanos(120),
            TimeUnit.HOURS.toNanos(2), false, 64), mapper);
        server.activate(nowNs);

        assertEquals(120, map(8080, 10, 1).lifetime());
        assertEquals(7200, map(8081, 1_000_000, 2).lifetime());
        assertEquals(600, map(8082, 600, 3).lifetime());
    }

    @Test
    void shouldRenewAMapWithTheSameNonceKeepingItsPublicPort()
    {
        mapper.takenPorts.add(8080);
        final int port = map(8080, 3600, 1).externalPort();
        advanceSeconds(1000);

        final Response renewed = map(8080, 3600, 1);

        assertEquals(PcpResult.SUCCESS, renewed.result());
        assertEquals(port, renewed.externalPort());
        assertEquals(1, server.mappingCount());
    }

    @Test
    void shouldRefuseToChangeOrDeleteAMapWithAnotherNonce()
    {
        map(8080, 3600, 1);

        assertEquals(PcpResult.NOT_AUTHORIZED, map(8080, 3600, 2).result());
        assertEquals(PcpResult.NOT_AUTHORIZED, map(8080, 0, 2).result());
        assertNotNull(mapper.mapping(TCP, CLIENT, 8080));
    }

    @Test
    void shouldDeleteAMapWithLifetimeZeroAndItsNonce()
    {
        map(8080, 3600, 1);

        final Response deleted = map(8080, 0, 1);

        assertEquals(PcpResult.SUCCESS, deleted.result());
        assertEquals(0, deleted.lifetime());
        assertNull(mapper.mapping(TCP, CLIENT, 8080));
        assertEquals(List.of(FakePortMapper.key(TCP, CLIENT, 8080)), mapper.closed);
        assertEquals(PcpResult.SUCCESS, map(8080, 0, 1).result(), "deleting what is gone succeeds");
    }

    @Test
    void shouldDeleteAllOfAClientsMapsWithProtocolZero()
    {
        map(8080, 3600, 1);
        send(Request.map(CLIENT, 3600, nonce(1), UDP, 5000, 0, 0));
        send(CLIENT2, Request.map(CLIENT2, 3600, nonce(1), UDP, 5000, 0, 0).bytes());

        assertEquals(PcpResult.SUCCESS, send(Request.map(CLIENT, 0, nonce(1), 0, 0, 0, 0)).result());

        assertEquals(1, server.mappingCount(), "the other client's stays");
        assertNotNull(mapper.mapping(UDP, CLIENT2, 5000));
    }

    @Test
    void shouldAnswerUnsupportedProtocolForWhatTheNatDoesNotMap()
    {
        assertEquals(PcpResult.UNSUPP_PROTOCOL, send(Request.map(CLIENT, 3600, nonce(1), 132, 8080, 0, 0)).result());
        assertEquals(PcpResult.UNSUPP_PROTOCOL, send(Request.map(CLIENT, 3600, nonce(1), 0, 0, 0, 0)).result(),
            "all protocols");
        assertEquals(PcpResult.NOT_AUTHORIZED, send(Request.map(CLIENT, 3600, nonce(1), TCP, 0, 0, 0)).result(),
            "all ports");
    }

    @Test
    void shouldRefuseAMapTheFirewallWouldNotLetThroughAsNotAuthorized()
    {
        mapper.deniedInbound.add(22);

        assertEquals(PcpResult.NOT_AUTHORIZED, map(22, 3600, 1).result());
        assertEquals(0, server.mappingCount());
    }

    @Test
    void shouldAnswerUserExQuotaBeyondTheMappingsAClientMayHold()
    {
        server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.SECONDS.toNanos(120),
            TimeUnit.HOURS.toNanos(2), false, 2), mapper);
        server.activate(nowNs);
        map(8080, 3600, 1);
        map(8081, 3600, 1);

        assertEquals(PcpResult.USER_EX_QUOTA, map(8082, 3600, 1).result());
        assertEquals(PcpResult.SUCCESS, map(8081, 3600, 1).result(), "renewing is no new mapping");
        assertEquals(PcpResult.SUCCESS, send(CLIENT2, Request.map(CLIENT2, 3600, nonce(1), TCP, 8082, 0, 0).bytes())
            .result(), "another client has its own quota");
    }

    @Test
    void shouldPassTheGatewaysRefusalsOnAsTheirResultCodes()
    {
        for (final PcpResult refusal : new PcpResult[] {PcpResult.NO_RESOURCES, PcpResult.USER_EX_QUOTA,
            PcpResult.NOT_AUTHORIZED})
        {
            mapper.refusal = refusal;

            final Response response = map(8080, 3600, 1);

            assertEquals(refusal, response.result());
            assertEquals(refusal.errorLifetimeSeconds(), response.lifetime());
        }
        assertEquals(0, server.mappingCount());
    }

    @Test
    void shouldGiveAnotherPortWhenTheSuggestedOneIsTakenUnlessPreferFailure()
    {
        mapper.takenPorts.add(9000);

        final Response other = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 9000, 0));
        final Response failed = send(Request.map(CLIENT, 3600, nonce(2), UDP, 8080, 9000, 0).preferFailure());

        assertEquals(PcpResult.SUCCESS, other.result());
        assertNotEquals(9000, other.externalPort());
        assertEquals(PcpResult.CANNOT_PROVIDE_EXTERNAL, failed.result());
        assertEquals(PcpResult.SHORT_ERROR_LIFETIME_S, failed.lifetime());
        assertNull(mapper.mapping(UDP, CLIENT, 8080), "what was opened to try is closed again");
    }

    @Test
    void shouldGrantTheSuggestedPortUnderPreferFailureAndEchoTheOption()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 9000, PUBLIC).preferFailure());

        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(9000, response.externalPort());
        assertEquals(64, response.length(), "the PREFER_FAILURE option applied comes back");
        assertEquals(PcpServer.OPTION_PREFER_FAILURE, response.bytes()[60]);
    }

    @Test
    void shouldAnswerCannotProvideExternalUnderPreferFailureForAnAddressNotOurs()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0,
            Ipv4.parse("203.0.113.99")).preferFailure());

        assertEquals(PcpResult.CANNOT_PROVIDE_EXTERNAL, response.result());
    }

    @Test
    void shouldRefuseThirdPartyUnlessThePolicyAllowsIt()
    {
        final Response refused = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).thirdParty(CLIENT2));

        assertEquals(PcpResult.NOT_AUTHORIZED, refused.result());
        assertEquals(0, server.mappingCount());

        server = new PcpServer(new ProviderConfig.NatPmpPcp(List.of("lan"), TimeUnit.SECONDS.toNanos(120),
            TimeUnit.HOURS.toNanos(2), true, 64), mapper);
        server.activate(nowNs);
        final Response granted = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).thirdParty(CLIENT2));

        assertEquals(PcpResult.SUCCESS, granted.result());
        assertNotNull(mapper.mapping(TCP, CLIENT2, 8080), "mapped for the third party");
        assertEquals(80, granted.length(), "THIRD_PARTY echoed");
    }

    @Test
    void shouldApplyAFilterAsTheMappingsRemoteFilter()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(128, 0, REMOTE));

        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(REMOTE, mapper.mapping(TCP, CLIENT, 8080).remoteAddress());
        assertEquals(84, response.length(), "FILTER echoed");

        send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(0, 0, 0));
        assertEquals(0, mapper.mapping(TCP, CLIENT, 8080).remoteAddress(), "prefix length 0 removes the filters");
    }

    @Test
    void shouldAnswerExcessiveRemotePeersForFiltersTheNatCannotHold()
    {
        final Request[] requests = {
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(120, 0, REMOTE),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(128, 443, REMOTE),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(128, 0, REMOTE).filter(128, 0, CLIENT2),
        };
        for (final Request request : requests)
        {
            assertEquals(PcpResult.EXCESSIVE_REMOTE_PEERS, send(request).result());
        }
        assertEquals(0, server.mappingCount());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Options
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerUnsupportedOptionForAnUnknownMandatoryOption()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).option(99, new byte[4]));

        assertEquals(PcpResult.UNSUPP_OPTION, response.result());
        assertEquals(0, server.mappingCount());
    }

    @Test
    void shouldIgnoreAnUnknownOptionalOptionAndLeaveItOutOfTheResponse()
    {
        final Response response = send(Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).option(200, new byte[8]));

        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(60, response.length());
    }

    @Test
    void shouldAnswerMalformedOptionForBadLengthsRepeatsOverrunsAndWrongOpcodes()
    {
        final Request[] requests = {
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).option(PcpServer.OPTION_THIRD_PARTY, new byte[8]),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).preferFailure().preferFailure(),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).option(PcpServer.OPTION_PREFER_FAILURE, new byte[4]),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).raw((byte)200, (byte)0, (byte)0, (byte)16),
            Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(129, 0, REMOTE),
            Request.peer(CLIENT, 3600, nonce(1), TCP, 8080, 0, REMOTE, 443).preferFailure(),
            Request.announce(CLIENT).thirdParty(CLIENT2),
        };
        for (int i = 0; i < requests.length; i++)
        {
            assertEquals(PcpResult.MALFORMED_OPTION, send(requests[i]).result(), "request " + i);
        }
        assertEquals(0, server.mappingCount());
    }

    // ------------------------------------------------------------------------------------------------------------
    // PEER
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldGrantPeerFilteredToThePeerAndEchoThePeer()
    {
        final Response response = send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, REMOTE, 3478));

        assertEquals(80, response.length());
        assertEquals(PcpResult.SUCCESS, response.result());
        assertEquals(PcpServer.OP_PEER, response.opcode());
        assertEquals(600, response.lifetime());
        assertEquals(5000, response.externalPort());
        assertEquals(PUBLIC, response.externalAddress());
        assertEquals(3478, response.peerPort());
        assertEquals(REMOTE, response.peerAddress());
        assertEquals(REMOTE, mapper.mapping(UDP, CLIENT, 5000).remoteAddress());
    }

    @Test
    void shouldShareOnePublicEndpointBetweenMapAndPeerOfAnInternalPort()
    {
        final Response peer = send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, REMOTE, 3478));
        final Response map = send(Request.map(CLIENT, 600, nonce(4), UDP, 5000, 0, 0));

        assertEquals(peer.externalPort(), map.externalPort());
        assertEquals(0, mapper.mapping(UDP, CLIENT, 5000).remoteAddress(), "the MAP lets anyone in");
        assertEquals(PcpResult.SUCCESS, send(Request.map(CLIENT, 0, nonce(4), UDP, 5000, 0, 0)).result());
        assertEquals(REMOTE, mapper.mapping(UDP, CLIENT, 5000).remoteAddress(), "the PEER alone is left");
    }

    @Test
    void shouldRefusePeerTheFirewallWouldNotLetOutOrWithAnotherNonce()
    {
        send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, REMOTE, 3478));

        assertEquals(PcpResult.NOT_AUTHORIZED,
            send(Request.peer(CLIENT, 600, nonce(4), UDP, 5000, 0, REMOTE, 3478)).result());
        mapper.outboundDenied = true;
        assertEquals(PcpResult.NOT_AUTHORIZED,
            send(Request.peer(CLIENT, 600, nonce(5), UDP, 5001, 0, REMOTE, 3478)).result());
    }

    @Test
    void shouldAnswerMalformedRequestForAPeerWithoutAPeer()
    {
        assertEquals(PcpResult.MALFORMED_REQUEST, send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, 0, 3478))
            .result());
        assertEquals(PcpResult.MALFORMED_REQUEST, send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, REMOTE, 0))
            .result());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Expiry, deactivation, epoch
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldCloseMappingsWhenTheirLifetimeEnds()
    {
        map(8080, 150, 1);
        map(8081, 3600, 1);

        advanceSeconds(149);
        assertEquals(0, server.expire(nowNs));
        advanceSeconds(1);
        assertEquals(1, server.expire(nowNs));

        assertNull(mapper.mapping(TCP, CLIENT, 8080));
        assertNotNull(mapper.mapping(TCP, CLIENT, 8081));
    }

    @Test
    void shouldCloseEveryMappingOnDeactivateAndStartANewEpochOnActivate()
    {
        map(8080, 3600, 1);
        send(Request.peer(CLIENT, 600, nonce(3), UDP, 5000, 0, REMOTE, 3478));
        advanceSeconds(500);

        assertEquals(2, server.deactivate());

        assertTrue(mapper.open.isEmpty());
        server.activate(nowNs);
        assertEquals(0, send(Request.announce(CLIENT)).epoch(), "a new epoch tells clients to map again");
    }

    // ------------------------------------------------------------------------------------------------------------
    // NAT-PMP
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerNatPmpExternalAddressRequest()
    {
        advanceSeconds(7);

        final Response response = send(CLIENT, new byte[] {0, 0});

        assertEquals(12, response.length());
        assertEquals(0, response.version());
        assertEquals(128, response.bytes()[1] & 0xFF);
        assertEquals(0, response.natPmpResult());
        assertEquals(7, response.natPmpEpoch());
        assertEquals(PUBLIC, response.natPmpExternalAddress());
    }

    @Test
    void shouldMapNatPmpUdpAndTcpAndDeleteWithLifetimeZero()
    {
        final Response udp = send(CLIENT, PcpMessages.natPmpMap(1, 5000, 5000, 3600));
        final Response tcp = send(CLIENT, PcpMessages.natPmpMap(2, 8080, 0, 7200));

        assertEquals(16, udp.length());
        assertEquals(129, udp.bytes()[1] & 0xFF);
        assertEquals(0, udp.natPmpResult());
        assertEquals(5000, udp.natPmpInternalPort());
        assertEquals(5000, udp.natPmpExternalPort());
        assertEquals(3600, udp.natPmpLifetime());
        assertEquals(130, tcp.bytes()[1] & 0xFF);
        assertEquals(8080, tcp.natPmpExternalPort());
        assertNotNull(mapper.mapping(UDP, CLIENT, 5000));
        assertNotNull(mapper.mapping(TCP, CLIENT, 8080));

        final Response deleted = send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 0));
        assertEquals(0, deleted.natPmpResult());
        assertEquals(0, deleted.natPmpExternalPort());
        assertEquals(0, deleted.natPmpLifetime());
        assertNull(mapper.mapping(UDP, CLIENT, 5000));
    }

    @Test
    void shouldDeleteAllOfAClientsNatPmpMappingsOfAProtocolWithPortAndLifetimeZero()
    {
        send(CLIENT, PcpMessages.natPmpMap(2, 8080, 0, 3600));
        send(CLIENT, PcpMessages.natPmpMap(2, 8081, 0, 3600));
        send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 3600));

        assertEquals(0, send(CLIENT, PcpMessages.natPmpMap(2, 0, 0, 0)).natPmpResult());

        assertEquals(1, server.mappingCount());
        assertNotNull(mapper.mapping(UDP, CLIENT, 5000));
    }

    @Test
    void shouldAnswerNatPmpUnsupportedOpcodeAndNetworkFailureAndDropShortMapRequests()
    {
        final Response unsupported = send(CLIENT, new byte[] {0, 3, 0, 0});
        assertEquals(8, unsupported.length());
        assertEquals(131, unsupported.bytes()[1] & 0xFF);
        assertEquals(5, unsupported.natPmpResult());

        assertNull(send(CLIENT, new byte[] {0, 1, 0, 0, 0x13, (byte)0x88}), "no whole map request to answer");

        server.deactivate();
        assertEquals(3, send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 3600)).natPmpResult());
        assertEquals(3, send(CLIENT, new byte[] {0, 0}).natPmpResult());
    }

    @Test
    void shouldAnswerNatPmpRefusalsWithTheirNatPmpCodes()
    {
        mapper.refusal = PcpResult.NO_RESOURCES;
        assertEquals(4, send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 3600)).natPmpResult());
        mapper.refusal = null;
        mapper.deniedInbound.add(5000);
        assertEquals(2, send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 3600)).natPmpResult());
    }

    @Test
    void shouldLetNatPmpAndPcpManageTheSameMapping()
    {
        final Response pcp = send(Request.map(CLIENT, 3600, nonce(1), UDP, 5000, 0, 0));
        final Response natPmp = send(CLIENT, PcpMessages.natPmpMap(1, 5000, 0, 3600));

        assertEquals(pcp.externalPort(), natPmp.natPmpExternalPort());
        assertEquals(1, server.mappingCount());
        assertEquals(PcpResult.NOT_AUTHORIZED, send(Request.map(CLIENT, 0, nonce(2), UDP, 5000, 0, 0)).result(),
            "the PCP nonce still guards it");
    }

    @Test
    void shouldWriteAnnouncementsOfBothProtocols()
    {
        advanceSeconds(3);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

        assertEquals(12, server.writeNatPmpAnnouncement(buffer, 0, nowNs));
        assertEquals(128, buffer.getByte(1) & 0xFF);
        assertEquals(PUBLIC, buffer.getInt(8, java.nio.ByteOrder.BIG_ENDIAN));
        assertEquals(24, server.writePcpAnnouncement(buffer, 0, nowNs));
        assertEquals(2, buffer.getByte(0));
        assertEquals(0x80, buffer.getByte(1) & 0xFF);
        assertEquals(3, buffer.getInt(8, java.nio.ByteOrder.BIG_ENDIAN));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Robustness
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void shouldNeverThrowWhateverTheBytes()
    {
        final Random random = new Random(6887);
        final byte[] valid = Request.map(CLIENT, 3600, nonce(1), TCP, 8080, 0, 0).filter(128, 0, REMOTE).bytes();
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] request;
            if (i % 2 == 0)
            {
                request = new byte[1 + random.nextInt(1200)];
                random.nextBytes(request);
                request[0] = (byte)(random.nextInt(4));
            }
            else
            {
                request = valid.clone();
                request[random.nextInt(request.length)] = (byte)random.nextInt(256);
            }
            final Response response = send(CLIENT, request);
            assertTrue(response == null || response.length() <= PcpServer.MAX_MESSAGE_LENGTH);
            if (i % 1000 == 0)
            {
                advanceSeconds(4000);
                server.expire(nowNs);
            }
        }
    }
}
