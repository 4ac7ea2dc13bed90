package org.egress25.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionListener;

/**
 * Gathers, per flagged host, every decision made about it, for the abuse desk's report. Runs on the
 * decision thread; {@link #snapshot()} may be called from any thread.
 *
 * <p>Bounded: at most {@value #MAX_HOSTS} hosts and {@value #MAX_DECISIONS_PER_HOST} decisions each are
 * kept (the decisions log has them all), so a flood of flagged spoofed sources cannot exhaust the heap.
 */
public final class ReportCollector implements DecisionListener
{
    static final int MAX_HOSTS = 100_000;
    static final int MAX_DECISIONS_PER_HOST = 50;

    private final Map<String, HostDecisions> hosts = new LinkedHashMap<>();
    private long droppedHosts;

    @Override
    public synchronized void onDecisions(final List<Decision> batch)
    {
        for (final Decision d : batch)
        {
            HostDecisions host = hosts.get(d.host());
            if (host == null)
            {
                if (hosts.size() >= MAX_HOSTS)
                {
                    droppedHosts++;
                    continue;
                }
                host = new HostDecisions(d.host());
                hosts.put(d.host(), host);
            }
            host.add(d);
        }
    }

    /** A copy of what was collected, host order = order of first decision. */
    public synchronized List<HostDecisions> snapshot()
    {
        final List<HostDecisions> copy = new ArrayList<>(hosts.size());
        for (final HostDecisions h : hosts.values())
        {
            copy.add(h.copy());
        }
        return copy;
    }

    public synchronized long droppedHosts()
    {
        return droppedHosts;
    }

    /** Decisions about one host. */
    public static final class HostDecisions
    {
        private final String host;
        private final List<Decision> decisions = new ArrayList<>();
        private int omitted;

        HostDecisions(final String host)
        {
            this.host = host;
        }

        void add(final Decision d)
        {
            if (decisions.size() < MAX_DECISIONS_PER_HOST)
            {
                decisions.add(d);
            }
            else
            {
                omitted++;
            }
        }

        HostDecisions copy()
        {
            final HostDecisions c = new HostDecisions(host);
            c.decisions.addAll(decisions);
            c.omitted = omitted;
            return c;
        }

        public String host()
        {
            return host;
        }

        public List<Decision> decisions()
        {
            return decisions;
        }

        public int omitted()
        {
            return omitted;
        }

        public Instant firstDecision()
        {
            return decisions.isEmpty() ? null : decisions.get(0).time();
        }

        /** The strongest action taken: block over alert. */
        public Action verdict()
        {
            Action verdict = Action.ALERT;
            for (final Decision d : decisions)
            {
                if (d.action() == Action.BLOCK)
                {
                    verdict = Action.BLOCK;
                }
            }
            return verdict;
        }
    }
}
