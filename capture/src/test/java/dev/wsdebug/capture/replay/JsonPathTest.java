package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonPathTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final String DOC = """
            {"op":"tick","ts":1733,"data":{"items":[{"id":1,"ts":5},{"id":2,"ts":6}],"a/b":"slash","0":"zero"},
             "list":[10,20,30]}""";

    private static List<String> sel(String path) throws Exception {
        return JsonPath.parse(path).select(M.readTree(DOC)).stream().map(JsonNode::toString).toList();
    }

    @Test
    void simplePathsAndPointersSelectTheSameValues() throws Exception {
        assertThat(sel("$.op")).containsExactly("\"tick\"");
        assertThat(sel("op")).containsExactly("\"tick\"");
        assertThat(sel("/op")).containsExactly("\"tick\"");
        assertThat(sel("$.data.items[1].id")).containsExactly("2");
        assertThat(sel("data.items[1].id")).containsExactly("2");
        assertThat(sel("/data/items/1/id")).containsExactly("2");
        assertThat(sel("$.data.items[*].id")).containsExactly("1", "2");
        assertThat(sel("$..ts")).containsExactly("1733", "5", "6");
        assertThat(sel("$['op']")).containsExactly("\"tick\"");
        assertThat(sel("/data/a~1b")).containsExactly("\"slash\"");
        assertThat(sel("/data/0")).containsExactly("\"zero\"");
        assertThat(sel("$.list[2]")).containsExactly("30");
        assertThat(sel("$")).hasSize(1);
    }

    @Test
    void aPathThatLeadsNowhereSelectsNothing() throws Exception {
        assertThat(sel("$.nope")).isEmpty();
        assertThat(sel("$.list[3]")).isEmpty();
        assertThat(sel("$.op.deeper")).isEmpty();
        assertThat(sel("/data/items/x")).isEmpty();
    }

    @Test
    void removeTakesOutWhatIsSelected() throws Exception {
        JsonNode doc = M.readTree(DOC);
        assertThat(JsonPath.parse("$..ts").remove(doc)).isEqualTo(3);
        assertThat(doc.toString()).doesNotContain("\"ts\"").contains("\"id\":1");
        assertThat(JsonPath.parse("/list/0").remove(doc)).isEqualTo(1);
        assertThat(doc.get("list").toString()).isEqualTo("[20,30]");
        assertThat(JsonPath.parse("$.data.items[*]").remove(doc)).isEqualTo(2);
        assertThat(doc.at("/data/items").size()).isZero();
        assertThat(JsonPath.parse("$.absent").remove(doc)).isZero();
    }

    @Test
    void malformedPathsSaySoInOneSentence() {
        for (String bad : new String[] {"", "$.", "$.a[", "$.a[x]", "$a"}) {
            assertThatThrownBy(() -> JsonPath.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith(".");
        }
    }
}
