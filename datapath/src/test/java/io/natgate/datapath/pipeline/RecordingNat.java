package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatEventListener;

import java.util.ArrayList;
import java.util.List;

/**
 * Records every command and event it receives as a line of text, for comparing in tests.
 */
class RecordingNat implements NatCommands, NatEventListener
{
    final List<String> calls = new ArrayList<>();

    @Override
    public void addStaticMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        calls.add("addStaticMapping " + correlationId + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            publicAddress + " " + publicPort);
    }

    @Override
    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        calls.add("removeStaticMapping " + correlationId + " " + protocol + " " + publicAddress + " " + publicPort);
    }

    @Override
    public void openInboundMapping(
        final long correlationId,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicPort,
        final int remoteAddress,
        final long lifetimeNs)
    {
        calls.add("openInboundMapping " + correlationId + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            publicPort + " " + remoteAddress + " " + lifetimeNs);
    }

    @Override
    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        calls.add("closeInboundMapping " + correlationId + " " + protocol + " " + insideAddress + " " + insidePort);
    }

    @Override
    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        calls.add("removeSession " + correlationId + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            remoteAddress + " " + remotePort);
    }

    @Override
    public void onMappingCreated(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort,
        final int kind)
    {
        calls.add("onMappingCreated " + timeNs + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            publicAddress + " " + publicPort + " " + kind);
    }

    @Override
    public void onMappingExpired(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        calls.add("onMappingExpired " + timeNs + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            publicAddress + " " + publicPort);
    }

    @Override
    public void onMappingRemoved(
        final long timeNs,
        final int protocol,
        final int insideAddress,
        final int insidePort,
        final int publicAddress,
        final int publicPort)
    {
        calls.add("onMappingRemoved " + timeNs + " " + protocol + " " + insideAddress + " " + insidePort + " " +
            publicAddress + " " + publicPort);
    }

    @Override
    public void onSessionCreated(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session("onSessionCreated", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionRefreshed(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session("onSessionRefreshed", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionExpired(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session("onSessionExpired", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    @Override
    public void onSessionRemoved(
        final long timeNs, final int protocol, final int insideAddress, final int insidePort, final int publicAddress,
        final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        session("onSessionRemoved", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
    }

    private void session(
        final String name, final long timeNs, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        calls.add(name + " " + timeNs + " " + protocol + " " + insideAddress + " " + insidePort + " " + publicAddress +
            " " + publicPort + " " + remoteAddress + " " + remotePort + " " + state);
    }

    @Override
    public void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
        calls.add("onCommandCompleted " + timeNs + " " + correlationId + " " + status + " " + publicAddress + " " +
            publicPort);
    }
}
