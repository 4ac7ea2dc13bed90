package org.egress25.control;

import org.egress25.host.Addresses;
import org.egress25.report.FlaggedHostReport;
import org.egress25.report.Xarf;

/** The flagged-host report in the format a control client asks for. */
final class ReportFormats
{
    private ReportFormats()
    {
    }

    /**
     * @param format json (the model), text, html, or xarf (one host, which {@code host} names)
     * @return a map for json and xarf, the page or text as a string otherwise
     */
    static Object render(final FlaggedHostReport report, final String format, final String host, final String reporter)
    {
        switch (format)
        {
            case "json":
                return report.toMap();
            case "text":
                return report.toText();
            case "html":
                return report.toHtml();
            case "xarf":
                if (host == null || host.isBlank())
                {
                    throw new ControlServer.BadRequest("an X-ARF report is about one host: give it");
                }
                final long[] address = Addresses.parse(host);
                return Xarf.of(report.toMap(), Addresses.format(address[0], address[1]), reporter);
            default:
                throw new ControlServer.BadRequest("unknown report format '" + format + "' (json, text, html, xarf)");
        }
    }
}
