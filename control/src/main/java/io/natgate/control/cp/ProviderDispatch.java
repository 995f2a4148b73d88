package io.natgate.control.cp;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A provider's dispatch table: the callbacks the Connectivity Platform makes to a provider
 * instance, each with the user context given to {@link ConnectivityPlatform#createInstance}.
 * <p>
 * The platform calls them on its own threads, never on the datapath's, and never from inside a
 * call the provider makes to it. Status callbacks either return a final status or return
 * {@link CallStatus#PENDING} and complete exactly once later through their {@link Completion}. A
 * callback that throws, or returns null, fails the call and terminates the session with
 * {@link TerminationReason#PROVIDER_OTHER_FAILURE}; one not completed within the configured time
 * terminates it with {@link TerminationReason#PROVIDER_TIMEOUT}.
 * <p>
 * After {@link #terminateSession} the platform makes no new calls; calls it started before may
 * still arrive, and the provider must complete them at once (with any status).
 *
 * @param <C> the type of the user context.
 */
public interface ProviderDispatch<C>
{
    /**
     * The session is established: called once per registration, first of all callbacks, after
     * {@link ConnectivityPlatform#register} succeeded (possibly before it returned). Termination is
     * never delivered before this returns.
     */
    void establishSession(ProviderInstance instance, C context);

    /**
     * Asks the provider to become active. Success makes the platform add the instance's local
     * transport id; failure terminates the session with {@link TerminationReason#PROVIDER_OTHER_FAILURE}.
     */
    CallStatus transitionActive(ProviderInstance instance, C context, Completion completion);

    /**
     * Associates a transport id with the instance: its local id, the source of everything it is
     * given to send and the destination of everything it indicates. Success makes the instance
     * {@link InstanceState#ACTIVE}; failure terminates the session with
     * {@link TerminationReason#PROVIDER_OTHER_FAILURE}.
     */
    CallStatus addTransportId(ProviderInstance instance, C context, TransportId transportId, Completion completion);

    /**
     * Asks whether a remote transport id is unambiguously reachable over this instance:
     * {@link CallStatus#SUCCESS} for yes, {@link CallStatus#FAILED} for no.
     */
    CallStatus reachTransportId(ProviderInstance instance, C context, TransportId transportId, Completion completion);

    /**
     * Outgoing traffic for a remote transport id found reachable over this instance.
     *
     * @param packets IPv4 packets, read-only, valid until the call completes; copy what is kept longer.
     */
    CallStatus sendBuffers(
        ProviderInstance instance, C context, TransportId localTransportId, TransportId remoteTransportId,
        List<ByteBuffer> packets, Completion completion);

    /**
     * Ends the session, exactly once per registration, with the reason. The provider cleans up here
     * or after deregister returns, and must call {@link ConnectivityPlatform#deregister} from another
     * thread (calling it from here fails at once: it waits for every call, this one included).
     * Termination always succeeds: what this throws is reported and ignored.
     */
    void terminateSession(ProviderInstance instance, C context, TerminationReason reason);
}
