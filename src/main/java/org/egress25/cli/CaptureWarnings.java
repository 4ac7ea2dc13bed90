package org.egress25.cli;

import java.util.ArrayList;
import java.util.List;
import org.egress25.capture.CaptureStats;
import org.egress25.decode.DecodeStatus;
import org.egress25.pipeline.PipelineCounters;

/**
 * What a replay summary must say about a capture that was read to its end but not whole or not sound: a
 * replay that quietly judged half a file, or none of it, reads like a clean network.
 */
final class CaptureWarnings
{
    private CaptureWarnings()
    {
    }

    static List<String> of(final CaptureStats stats, final PipelineCounters counters)
    {
        final List<String> warnings = new ArrayList<>();
        if (stats.truncatedRecords() > 0)
        {
            warnings.add("the last record is cut short (the file ends inside it; copied while still being written?)"
                + " and was not analysed");
        }
        final long unsupported = counters.byStatus(DecodeStatus.UNSUPPORTED_LINK);
        if (unsupported > 0)
        {
            warnings.add(String.format("%,d of %,d frames have a link type egress25 does not decode (Ethernet, "
                + "Linux cooked v1/v2, raw IP and loopback are) and were skipped", unsupported, stats.captured()));
        }
        if (stats.capturedBeyondWire() > 0)
        {
            warnings.add(String.format("%,d records claim more captured bytes than the packet had on the wire "
                + "(caplen > len): the file was written by a broken tool", stats.capturedBeyondWire()));
        }
        return warnings;
    }
}
