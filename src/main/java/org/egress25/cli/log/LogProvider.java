package org.egress25.cli.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * egress25's own slf4j binding (found through {@code META-INF/services}): a dozen classes log a few lines each,
 * and all they need is one line per record in the format the process runs under, which slf4j-simple cannot
 * do without a timestamp it always writes first or a priority prefix it does not know.
 */
public final class LogProvider implements SLF4JServiceProvider, ILoggerFactory
{
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory()
    {
        return this;
    }

    @Override
    public IMarkerFactory getMarkerFactory()
    {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter()
    {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion()
    {
        return "2.0.99";
    }

    @Override
    public void initialize()
    {
    }

    @Override
    public Logger getLogger(final String name)
    {
        return loggers.computeIfAbsent(name, LineLogger::new);
    }
}
