package dev.wsdebug.capture.decode;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protobuf message type every binary message is read as: one message of a descriptor set
 * ({@code protoc --descriptor_set_out=FILE.desc --include_imports x.proto}). Made from the file's
 * bytes, which the caller reads (decoders do no I/O); built once, then shared by every connection.
 */
public final class ProtoSchema {
    /** Candidates named in an error sentence before "…". */
    private static final int LISTED = 8;

    private final Descriptor type;
    /** The set's extensions (proto2 {@code extend}), so they are read by name rather than as unknown fields. */
    private final ExtensionRegistry extensions;

    private ProtoSchema(Descriptor type, Map<String, FileDescriptor> files) {
        this.type = type;
        this.extensions = ExtensionRegistry.newInstance();
        for (FileDescriptor f : files.values()) {
            f.getExtensions().forEach(this::register);
            List<Descriptor> todo = new ArrayList<>(f.getMessageTypes());
            while (!todo.isEmpty()) {
                Descriptor d = todo.remove(todo.size() - 1);
                d.getExtensions().forEach(this::register);
                todo.addAll(d.getNestedTypes());
            }
        }
    }

    private void register(FieldDescriptor e) {
        if (e.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            extensions.add(e, DynamicMessage.getDefaultInstance(e.getMessageType()));
        } else {
            extensions.add(e);
        }
    }

    ExtensionRegistry extensions() {
        return extensions;
    }

    /** The message type's fully-qualified name ({@code chat.v1.Envelope}). */
    public String typeName() {
        return type.getFullName();
    }

    Descriptor type() {
        return type;
    }

    /**
     * The schema of {@code typeName} in this descriptor set; with {@code typeName} null, the only
     * top-level message of the files no other file of the set imports (what the user compiled,
     * not its imports).
     *
     * @param source what the bytes came from, for the sentences ({@code chat.desc})
     * @throws IllegalArgumentException with one sentence: the bytes are not a descriptor set, a
     *                                  file's import is missing, the type is unknown or not chosen
     */
    public static ProtoSchema of(byte[] descriptorSet, String source, String typeName) {
        Map<String, FileDescriptor> files = files(descriptorSet, source);
        if (typeName != null) {
            String wanted = typeName.startsWith(".") ? typeName.substring(1) : typeName;
            for (FileDescriptor f : files.values()) {
                Descriptor d = find(f, wanted);
                if (d != null) {
                    return new ProtoSchema(d, files);
                }
            }
            throw new IllegalArgumentException(shown(typeName + " is not a message type of " + source + "; it has "
                    + listed(candidates(files)) + "."));
        }
        List<String> candidates = candidates(files);
        if (candidates.size() == 1) {
            return new ProtoSchema(find(files, candidates.get(0)), files);
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(source + " defines no message type.");
        }
        throw new IllegalArgumentException(shown(source + " has " + candidates.size() + " message types ("
                + listed(candidates) + "): choose one with --proto-type."));
    }

    /** Every file of the set, built with its imports, by file name in the set's order. */
    private static Map<String, FileDescriptor> files(byte[] bytes, String source) {
        FileDescriptorSet set;
        try {
            set = FileDescriptorSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw notASet(source);
        }
        Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
        for (FileDescriptorProto p : set.getFileList()) {
            // garbage can parse as a set of files without names: nothing protoc would write
            if (p.getName().isEmpty()) {
                throw notASet(source);
            }
            protos.put(p.getName(), p);
        }
        if (protos.isEmpty()) {
            throw notASet(source);
        }
        Map<String, FileDescriptor> built = new LinkedHashMap<>();
        for (String name : protos.keySet()) {
            build(name, protos, built, new HashSet<>(), source);
        }
        return built;
    }

    /** The advice never names the given file as protoc's output: it may be the user's .proto source. */
    private static IllegalArgumentException notASet(String source) {
        if (source.endsWith(".proto")) {
            String desc = source.substring(0, source.length() - ".proto".length()) + ".desc";
            return new IllegalArgumentException(shown(source + " is a .proto source, not a descriptor set: make one with"
                    + " protoc --descriptor_set_out=" + desc + " --include_imports " + source + "."));
        }
        return new IllegalArgumentException(shown(source + " is not a protobuf descriptor set (make one with protoc"
                + " --descriptor_set_out=FILE.desc --include_imports FILE.proto)."));
    }

    private static FileDescriptor build(String name, Map<String, FileDescriptorProto> protos,
                                        Map<String, FileDescriptor> built, Set<String> building, String source) {
        FileDescriptor done = built.get(name);
        if (done != null) {
            return done;
        }
        FileDescriptorProto p = protos.get(name);
        if (!building.add(name)) {
            throw new IllegalArgumentException(shown(source + " is not a usable descriptor set: " + name
                    + " imports itself through its imports."));
        }
        List<FileDescriptor> deps = new ArrayList<>();
        for (String dep : p.getDependencyList()) {
            if (!protos.containsKey(dep)) {
                throw new IllegalArgumentException(shown(source + " lacks " + dep + ", which " + name
                        + " imports (make it with protoc --include_imports)."));
            }
            deps.add(build(dep, protos, built, building, source));
        }
        try {
            FileDescriptor f = FileDescriptor.buildFrom(p, deps.toArray(new FileDescriptor[0]));
            built.put(name, f);
            return f;
        } catch (DescriptorValidationException e) {
            String why = e.getDescription().endsWith(".") ? e.getDescription().substring(0, e.getDescription().length() - 1)
                    : e.getDescription();
            throw new IllegalArgumentException(shown(source + " is not a usable descriptor set: " + name + " does not"
                    + " build: " + why + " (at " + e.getProblemSymbolName() + ")."));
        } catch (RuntimeException e) {
            // bytes that parse as a set by chance can still upset the builder in ways it does not name
            throw new IllegalArgumentException(shown(source + " is not a usable descriptor set: " + name + " does not"
                    + " build (" + e.getClass().getSimpleName() + ")."));
        }
    }

    /** Top-level messages of the files no other file of the set imports. */
    private static List<String> candidates(Map<String, FileDescriptor> files) {
        Set<String> imported = new HashSet<>();
        for (FileDescriptor f : files.values()) {
            f.getDependencies().forEach(d -> imported.add(d.getName()));
        }
        List<String> out = new ArrayList<>();
        for (FileDescriptor f : files.values()) {
            if (!imported.contains(f.getName())) {
                f.getMessageTypes().forEach(d -> out.add(d.getFullName()));
            }
        }
        return out;
    }

    private static Descriptor find(Map<String, FileDescriptor> files, String fullName) {
        for (FileDescriptor f : files.values()) {
            Descriptor d = find(f, fullName);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /** A message type of this file by full name, nested ones included ({@code pkg.Outer.Inner}). */
    private static Descriptor find(FileDescriptor f, String fullName) {
        List<Descriptor> todo = new ArrayList<>(f.getMessageTypes());
        while (!todo.isEmpty()) {
            Descriptor d = todo.remove(todo.size() - 1);
            if (d.getFullName().equals(fullName)) {
                return d;
            }
            todo.addAll(d.getNestedTypes());
        }
        return null;
    }

    /** Names in a descriptor set are whatever bytes it holds: a sentence keeps to one printable line. */
    private static String shown(String sentence) {
        StringBuilder b = new StringBuilder(sentence.length());
        sentence.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private static String listed(List<String> names) {
        if (names.isEmpty()) {
            return "none at top level";
        }
        return String.join(", ", names.subList(0, Math.min(LISTED, names.size())))
                + (names.size() > LISTED ? ", …" : "");
    }
}
