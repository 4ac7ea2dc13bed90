package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.egress25.host.HostKey;

/**
 * One inside host's SMTP pattern state: the detectors' sliding windows, what it last did, and the summary the
 * flagged-host report shows. Made when the host's first judged session ends, never per packet; owned by
 * {@link SmtpPatterns} on the analysis thread.
 */
final class HostState
{
    static final int MAX_HELO_SAMPLES = 5;
    static final int MAX_DOMAINS = 4096;
    static final int MAX_HELO_NAMES = 256;
    static final int MAX_CODES = 32;

    final HostKey key;
    long lastNanos;
    final Set<String> rules = new LinkedHashSet<>();
    final WindowCount sessions = new WindowCount();
    final WindowCount rejected = new WindowCount();
    final WindowCount readable = new WindowCount();
    final WindowCount aborted = new WindowCount();
    final WindowCount recipientsWindow = new WindowCount();
    final WindowCount authFailures = new WindowCount();
    /** Name (its folded hash) to last time seen, least recently seen first. */
    final RecentHashes heloNames = new RecentHashes(MAX_HELO_NAMES);
    /** Recipient domain (its folded hash) to last time seen, least recently seen first. */
    final RecentHashes domains = new RecentHashes(MAX_DOMAINS);
    final Set<String> heloSamples = new LinkedHashSet<>();
    /** Every recipient domain so far (its count saturates at {@link #MAX_DOMAINS}), for the report. */
    final RecentHashes allDomains = new RecentHashes(MAX_DOMAINS);
    /** Reply-code histogram in two small parallel arrays (a host sees a dozen distinct codes, not 400). */
    final int[] codes = new int[MAX_CODES];
    final long[] codeCounts = new long[MAX_CODES];
    int codeCount;
    long blockedUntilNanos;
    boolean blockedKnown;
    /** When each rule last alerted about this host (or was dropped by Verdicts as a repeat). */
    final Map<String, Long> alertedAt = new HashMap<>();
    /** The latest blocklist reply a remote server gave this host: bytes per reply, a String only in the report. */
    private byte[] blocklistReply;
    private int blocklistReplyLength;
    long sessionsTotal;
    long recipients;
    long recipientsRejected;
    /** What {@link SmtpPatterns} last counted this host as ({@link #retainedBytes()} then). */
    long accountedBytes;

    /**
     * Heap bytes without the three hash sets: the object, six windows (12 longs each), the reply-code
     * histogram, the rule and sample sets and the alert map when empty, the key and its entry in the host map.
     * Measured in a child JVM by {@code SmtpFootprintTest}, which also checks this estimate.
     */
    static final long FIXED_BYTES = 1_800;
    /** A rule id or alert entry: the set or map node and a boxed time, the strings being the rules' own. */
    private static final long ENTRY_BYTES = 64;

    HostState(final HostKey key)
    {
        this.key = key;
    }

    /** Adds a judged session to the report summary. */
    void summarise(final SessionFacts f)
    {
        final Session r = f.session;
        sessionsTotal++;
        recipients += r.recipients();
        recipientsRejected += r.recipientsRejected();
        for (int c = 0; c < r.replyCodeCount(); c++)
        {
            final int code = r.replyCode(c);
            int i = 0;
            while (i < codeCount && codes[i] != code)
            {
                i++;
            }
            if (i == codeCount && codeCount < MAX_CODES)
            {
                codes[codeCount++] = code;
            }
            if (i < codeCount)
            {
                codeCounts[i]++;
            }
        }
        if (r.hasHelo() && heloSamples.size() < MAX_HELO_SAMPLES)
        {
            heloSamples.add(f.helo().helo);
        }
        for (int d = 0; d < f.domainCount; d++)
        {
            allDomains.touch(f.domains[d], lastNanos);
        }
    }

    Map<Integer, Long> replyCodes()
    {
        final Map<Integer, Long> out = new TreeMap<>();
        for (int i = 0; i < codeCount; i++)
        {
            out.put(codes[i], codeCounts[i]);
        }
        return out;
    }

    SmtpHostSummary summary()
    {
        return new SmtpHostSummary(key.text(), List.copyOf(rules), sessionsTotal, replyCodes(),
            List.copyOf(heloSamples),
            blocklistReply == null ? null : new String(blocklistReply, 0, blocklistReplyLength, StandardCharsets.UTF_8),
            recipients, recipientsRejected, allDomains.size());
    }

    /** Keeps the reply's first {@link SmtpPatterns#MAX_REPLY_TEXT} bytes. */
    void blocklistReply(final byte[] line, final int length)
    {
        if (blocklistReply == null)
        {
            blocklistReply = new byte[SmtpPatterns.MAX_REPLY_TEXT];
        }
        blocklistReplyLength = Math.min(length, blocklistReply.length);
        System.arraycopy(line, 0, blocklistReply, 0, blocklistReplyLength);
    }

    /**
     * Heap bytes this host holds now, an estimate within a few percent of what the child-JVM test measures;
     * worst case (a host spraying names and domains past every cap) about 330 KB, most of it the two domain
     * sets at 4,096 entries.
     */
    long retainedBytes()
    {
        long bytes = FIXED_BYTES + heloNames.retainedBytes() + domains.retainedBytes() + allDomains.retainedBytes()
            + ENTRY_BYTES * (rules.size() + alertedAt.size()) + (blocklistReply == null ? 0 : 16 + blocklistReply.length);
        for (final String sample : heloSamples)
        {
            bytes += ENTRY_BYTES + 40 + sample.length();
        }
        return bytes;
    }

    /** Distinct recipient domains seen within the window (at most {@link #MAX_DOMAINS}). */
    int recentDomains(final long now, final long window)
    {
        return domains.countRecent(now, window);
    }
}
