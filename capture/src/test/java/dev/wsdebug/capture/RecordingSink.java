package dev.wsdebug.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Keeps every event for assertions. */
final class RecordingSink implements EventSink {
    final List<Event> events = new ArrayList<>();

    @Override
    public void accept(Event event) {
        events.add(event);
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    List<String> names() {
        return events.stream().map(Event::name).collect(Collectors.toList());
    }
}
