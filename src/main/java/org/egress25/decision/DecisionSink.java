package org.egress25.decision;

/**
 * Where analysers put decisions. Implementations must return quickly and never block the packet path:
 * writing files, running {@code nft} and updating reports happen on the other side of the sink.
 */
@FunctionalInterface
public interface DecisionSink
{
    void accept(Decision decision);
}
