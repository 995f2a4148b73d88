package io.natgate.control.profile;

/**
 * The WinDivert batch and driver queue settings of a profile ({@code windivert.*}), for each
 * windivert port: {@code WINDIVERT_PARAM_QUEUE_LENGTH}, {@code _QUEUE_TIME} and {@code _QUEUE_SIZE}.
 */
public record WinDivertGeometry(int batchSize, int queueLength, long queueTimeMs, long queueSizeBytes)
{
}
