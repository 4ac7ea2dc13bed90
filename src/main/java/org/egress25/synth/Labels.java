package org.egress25.synth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The answer key of a generated capture: one {@link Label} per inside host, in the order the hosts were made.
 * Written as a JSON array beside the pcap ({@code labels.json}) so tests and scoring scripts in any language
 * can compare a replay's decisions with it.
 */
public record Labels(List<Label> hosts)
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Labels
    {
        hosts = List.copyOf(hosts);
    }

    public Optional<Label> forHost(final String host)
    {
        return hosts.stream().filter(label -> label.host().equals(host)).findFirst();
    }

    /** Abusive hosts: those a correct filter blocks, and those it may only alert on (submission abuse). */
    public List<Label> abusive()
    {
        return hosts.stream().filter(label -> !label.expectedVerdict().equals("clean")).toList();
    }

    public void write(final Path path) throws IOException
    {
        JSON.writeValue(path.toFile(), hosts);
    }

    public static Labels read(final Path path) throws IOException
    {
        return new Labels(JSON.readValue(path.toFile(), new TypeReference<List<Label>>() { }));
    }
}
