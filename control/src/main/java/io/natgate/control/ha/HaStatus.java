package io.natgate.control.ha;

import io.natgate.control.admin.JsonText;

/**
 * One gateway's view of its HA pair, as {@code /ha} and {@code natgate ha status} show it.
 *
 * @param peerRole          null until the peer has been heard.
 * @param peerHeardMsAgo    -1 until the peer has been heard.
 * @param linkUp            the peer's heartbeats come over the replication link.
 * @param heartbeatPeer     the peer's end of the second heartbeat path; null when none is configured.
 * @param heartbeatPathUp   the peer's heartbeats come over the second path.
 * @param linkLosses        how often the replication link went down while the peer was still heard.
 * @param synced            standby: a snapshot arrived and no record was missed since; active: the peer says so.
 * @param lagRecords        records the active sent that the standby has not applied (as the last heartbeat said).
 * @param lagNs             the active's view: from sending the last record the standby applied to hearing so,
 *                          less the time the standby held the news (an upper bound of the apply delay); -1 unknown.
 */
public record HaStatus(
    HaRole role, int priority, String link, String peer, HaRole peerRole, int peerPriority, long peerHeardMsAgo,
    boolean peerAlive, boolean linkUp, String heartbeatPeer, boolean heartbeatPathUp, long linkLosses, boolean synced, long lagRecords, long lagNs, long recordsSent, long recordsUnsent,
    long recordsLost, long appliedSequence, long recordsApplied, long recordsRefused, long gaps, long ringFullWaits,
    long snapshotsSent, long snapshotsReceived, long transitions, HaNode.Transition lastTransition, long timeoutMs)
{
    /**
     * @return the status as one JSON object.
     */
    public String toJson()
    {
        final StringBuilder json = new StringBuilder(512).append('{');
        field(json, "role", JsonText.quote(role.label()));
        field(json, "priority", priority);
        field(json, "link", JsonText.quote(link));
        field(json, "peer", JsonText.quote(peer));
        field(json, "peerRole", peerRole == null ? "null" : JsonText.quote(peerRole.label()));
        field(json, "peerPriority", peerPriority);
        field(json, "peerHeardMsAgo", peerHeardMsAgo);
        field(json, "peerAlive", peerAlive);
        field(json, "linkUp", linkUp);
        field(json, "heartbeatPeer", heartbeatPeer == null ? "null" : JsonText.quote(heartbeatPeer));
        field(json, "heartbeatPathUp", heartbeatPathUp);
        field(json, "linkLosses", linkLosses);
        field(json, "synced", synced);
        field(json, "lagRecords", lagRecords);
        field(json, "lagNs", lagNs);
        field(json, "recordsSent", recordsSent);
        field(json, "recordsUnsent", recordsUnsent);
        field(json, "recordsLost", recordsLost);
        field(json, "appliedSequence", appliedSequence);
        field(json, "recordsApplied", recordsApplied);
        field(json, "recordsRefused", recordsRefused);
        field(json, "gaps", gaps);
        field(json, "ringFullWaits", ringFullWaits);
        field(json, "snapshotsSent", snapshotsSent);
        field(json, "snapshotsReceived", snapshotsReceived);
        field(json, "transitions", transitions);
        field(json, "timeoutMs", timeoutMs);
        json.append("\"lastTransition\":");
        if (lastTransition == null)
        {
            json.append("null");
        }
        else
        {
            json.append("{\"timeEpochMs\":").append(lastTransition.timeEpochMs())
                .append(",\"from\":").append(JsonText.quote(lastTransition.from().label()))
                .append(",\"to\":").append(JsonText.quote(lastTransition.to().label()))
                .append(",\"reason\":").append(JsonText.quote(lastTransition.reason())).append('}');
        }
        return json.append('}').toString();
    }

    private static void field(final StringBuilder json, final String name, final Object value)
    {
        json.append('"').append(name).append("\":").append(value).append(',');
    }
}
