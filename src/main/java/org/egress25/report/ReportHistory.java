package org.egress25.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flagged-host report's memory across restarts: at start, the decisions already in the decisions log go
 * back into the {@link ReportCollector}, so a report written after a restart (or a kill -9) still shows every
 * host flagged before it, with its decisions and strikes. Traffic detail (timeline, destinations) lives only
 * in the analysers and starts afresh; the decisions do not.
 *
 * <p>Reads at most the last {@value #MAX_BYTES} bytes of the log (some 25,000 decisions of about 330 bytes),
 * line by line, so a log of months neither holds up the start nor needs more heap than the decisions kept;
 * the collector's own bounds apply on top. A line that cannot be read is skipped and counted.
 */
public final class ReportHistory
{
    static final long MAX_BYTES = 8L * 1024 * 1024;
    private static final int BATCH = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ReportHistory.class);

    private ReportHistory()
    {
    }

    /** Feeds the decisions in {@code log} to {@code collector}; returns how many were read. */
    public static int restore(final Path log, final ReportCollector collector) throws IOException
    {
        if (log == null || !Files.isRegularFile(log))
        {
            return 0;
        }
        int restored = 0;
        int unreadable = 0;
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ))
        {
            final long start = Math.max(0, channel.size() - MAX_BYTES);
            channel.position(start);
            final BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8));
            if (start > 0)
            {
                // starting mid-file: the first line is a fragment
                lines.readLine();
            }
            final List<Decision> batch = new ArrayList<>(BATCH);
            String line;
            while ((line = lines.readLine()) != null)
            {
                if (line.isBlank())
                {
                    continue;
                }
                try
                {
                    batch.add(DecisionJson.fromJson(line));
                }
                catch (final IllegalArgumentException e)
                {
                    unreadable++;
                    continue;
                }
                if (batch.size() == BATCH)
                {
                    collector.onDecisions(batch);
                    restored += batch.size();
                    batch.clear();
                }
            }
            collector.onDecisions(batch);
            restored += batch.size();
        }
        if (restored + unreadable > 0)
        {
            LOG.info("report: {} earlier decision(s) restored from {}{}", restored, log,
                unreadable == 0 ? "" : ", " + unreadable + " unreadable line(s) skipped");
        }
        return restored;
    }
}
