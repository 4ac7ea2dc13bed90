package org.egress25.policy;

import java.util.List;

/**
 * A named class of inside networks with its port-25 mode and its detectors, thresholds already resolved
 * (class overrides applied over the defaults), so the packet path never merges settings.
 *
 * @param name      class name from the rule file (e.g. {@code residential-dynamic})
 * @param mode      how port 25 is policed for this class
 * @param networks  the class's blocks
 * @param detectors rate detectors with this class's thresholds
 */
public record HostClass(String name, Port25Mode mode, List<Cidr> networks, List<RateDetector> detectors)
{
    public HostClass
    {
        networks = List.copyOf(networks);
        detectors = List.copyOf(detectors);
    }
}
