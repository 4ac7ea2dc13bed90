package org.egress25.decision;

import java.util.List;

/** Receives decisions on the dispatcher thread, in batches, off the packet path. */
public interface DecisionListener
{
    void onDecisions(List<Decision> batch);

    /** Called once when the dispatcher stops, after the last batch. */
    default void onClose()
    {
    }
}
