package org.egress25.report;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Reads at most the last {@value #MAX_BYTES} bytes of the log (some 200,000 decisions), so a log of months
 * does not hold up the start; the collector's own bounds apply on top. A line that cannot be read is skipped
 * and counted.
 */
public final class ReportHistory
{
    static final long MAX_BYTES = 64L * 1024 * 1024;
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
        final List<Decision> decisions = new ArrayList<>();
        int unreadable = 0;
        final String text;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r"))
        {
            final long start = Math.max(0, file.length() - MAX_BYTES);
            final byte[] bytes = new byte[(int)(file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            final String raw = new String(bytes, StandardCharsets.UTF_8);
            // starting mid-file: the first line is a fragment
            text = start == 0 ? raw : raw.substring(raw.indexOf('\n') + 1);
        }
        for (final String line : text.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            try
            {
                decisions.add(DecisionJson.fromJson(line));
            }
            catch (final IllegalArgumentException e)
            {
                unreadable++;
            }
        }
        collector.onDecisions(decisions);
        if (decisions.size() + unreadable > 0)
        {
            LOG.info("report: {} earlier decision(s) restored from {}{}", decisions.size(), log,
                unreadable == 0 ? "" : ", " + unreadable + " unreadable line(s) skipped");
        }
        return decisions.size();
    }
}
