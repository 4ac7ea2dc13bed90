package org.egress25.decision;

import java.util.Locale;

/** Who made a decision: a detector on the packet path, an operator, or the start-up reconciliation. */
public enum Source
{
    DETECTOR,
    MANUAL,
    RECONCILE;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
