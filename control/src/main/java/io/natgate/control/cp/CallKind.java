package io.natgate.control.cp;

/**
 * The calls the platform makes to a provider, named as in the dispatch table.
 */
enum CallKind
{
    ESTABLISH_SESSION("establishSession"),
    TRANSITION_ACTIVE("transitionActive"),
    ADD_TRANSPORT_ID("addTransportId"),
    REACH_TRANSPORT_ID("reachTransportId"),
    SEND_BUFFERS("sendBuffers"),
    TERMINATE_SESSION("terminateSession");

    private final String callbackName;

    CallKind(final String callbackName)
    {
        this.callbackName = callbackName;
    }

    String callbackName()
    {
        return callbackName;
    }
}
