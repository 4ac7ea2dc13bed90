package org.egress25.policy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * SIGHUP, the Unix way to ask a daemon to re-read its configuration, through {@code sun.misc.Signal}.
 *
 * <p>{@code sun.misc.Signal} lives in the exported {@code jdk.unsupported} module, but javac flags every
 * use of it as "internal proprietary API", a warning {@code @SuppressWarnings} cannot silence. Calling it
 * reflectively keeps that warning out of a {@code -Xlint:all} build and confines the unsupported API to
 * this one class; if a JVM lacks it, or runs with {@code -Xrs} and refuses the handler, {@link #install}
 * returns null and the reloader still follows file changes.
 */
final class HangupSignal implements AutoCloseable
{
    private final Class<?> signalClass;
    private final Class<?> handlerClass;
    private final Object signal;
    private final Object previous;

    private HangupSignal(final Class<?> signalClass, final Class<?> handlerClass, final Object signal, final Object previous)
    {
        this.signalClass = signalClass;
        this.handlerClass = handlerClass;
        this.signal = signal;
        this.previous = previous;
    }

    /**
     * Runs {@code action} on the JVM's signal thread at each SIGHUP (keep it short: hand off and return).
     *
     * @return the installed handler (close it to restore the previous one), or null with the reason in
     *         {@code whyNot[0]} when SIGHUP cannot be handled here
     */
    static HangupSignal install(final Runnable action, final String[] whyNot)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            final InvocationHandler body = (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "handle":
                        action.run();
                        return null;
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return "egress25 SIGHUP handler";
                }
            };
            final Object handler = Proxy.newProxyInstance(
                HangupSignal.class.getClassLoader(), new Class<?>[] {handlerClass}, body);
            final Object previous = signalClass.getMethod("handle", signalClass, handlerClass)
                .invoke(null, signal, handler);
            return new HangupSignal(signalClass, handlerClass, signal, previous);
        }
        catch (final InvocationTargetException e)
        {
            whyNot[0] = String.valueOf(e.getCause());
            return null;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError e)
        {
            whyNot[0] = String.valueOf(e);
            return null;
        }
    }

    /** Puts back whatever handled SIGHUP before (the JVM default terminates the process). */
    @Override
    public void close()
    {
        try
        {
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, previous);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            // the process is shutting the reloader down; a handler left in place only triggers a no-op
        }
    }
}
