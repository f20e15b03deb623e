package io.poolkit.jdbc.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Writes the pass-through leaf of each hand-written JDBC proxy of pool-jdbc, at compile time, into the
 * compiler's generated-sources directory (nothing it writes is committed).
 *
 * <p>A proxy marks itself {@code @io.poolkit.jdbc.internal.ForwardingLeaf("LeafName")}: an abstract
 * top-level class implementing the {@code java.sql} interfaces it stands for, with a {@code delegate}
 * field (the driver's object) and a {@code check(SQLException)} method (the fatal-error check). The
 * leaf is {@code final class LeafName extends TheProxy} with the proxy's constructors; for every
 * interface method that no class of the proxy implements (abstract ones, and default ones, so that a
 * driver's own implementation is reached) it has one method that calls the same method on
 * {@code delegate} and passes each {@code SQLException} through {@code check(..)}. Nothing else: all
 * behaviour stays in the hand-written proxy.
 *
 * <p>The methods come from the {@code java.sql} API the compiler compiles against (the language
 * model is the compiler's reflection), so a newer API brings its methods in without an edit, and a
 * build on a newer JDK with an older {@code --release} sees only what that release has.
 *
 * <p>Some methods are never forwarded, because forwarding them would silently lose what the pool
 * must do; leaving one abstract is a compile error naming it: {@code unwrap} (it exposes the
 * driver's object), {@code execute*} (the work to roll back on return), and any method returning a {@code Connection}, {@code Statement}, {@code ResultSet} or
 * {@code DatabaseMetaData} (the caller must get a proxy, never the driver's object).
 */
@SupportedAnnotationTypes(ForwardingLeafProcessor.ANNOTATION)
public final class ForwardingLeafProcessor extends AbstractProcessor {
    static final String ANNOTATION = "io.poolkit.jdbc.internal.ForwardingLeaf";
    private static final List<String> PROXIED = List.of("java.sql.Connection", "java.sql.Statement", "java.sql.ResultSet",
            "java.sql.DatabaseMetaData");
    private static final Set<String> HAND_WRITTEN = Set.of("unwrap");
    private static final String SQL_EXCEPTION = "java.sql.SQLException";

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (TypeElement annotation : annotations) {
            for (Element element : round.getElementsAnnotatedWith(annotation)) {
                try {
                    write(element, leafName(element, annotation));
                } catch (Invalid e) {
                    processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, e.getMessage(), e.element);
                } catch (IOException e) {
                    processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "cannot write the forwarding leaf: " + e, element);
                }
            }
        }
        return true;
    }

    /** A proxy the generator cannot complete: reported as a compile error on {@code element}. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Element element;

        Invalid(Element element, String message) {
            super(message, null, false, false);
            this.element = element;
        }
    }

    private static String leafName(Element element, TypeElement annotation) throws Invalid {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (mirror.getAnnotationType().asElement().equals(annotation)) {
                for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : mirror.getElementValues().entrySet()) {
                    if (e.getKey().getSimpleName().contentEquals("value")) {
                        String name = String.valueOf(e.getValue().getValue());
                        if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
                            throw new Invalid(element, "@ForwardingLeaf must name a class, but was '" + name + "'");
                        }
                        return name;
                    }
                }
            }
        }
        throw new Invalid(element, "@ForwardingLeaf must name the leaf class");
    }

    private void write(Element element, String leafName) throws Invalid, IOException {
        if (element.getKind() != ElementKind.CLASS || !element.getModifiers().contains(Modifier.ABSTRACT)
                || ((TypeElement) element).getNestingKind() != NestingKind.TOP_LEVEL) {
            throw new Invalid(element, "@ForwardingLeaf goes on an abstract top-level class, but " + element + " is not one");
        }
        TypeElement proxy = (TypeElement) element;
        Leaf leaf = new Leaf(proxy, leafName);
        String source = leaf.source();
        String qualified = leaf.packageName.isEmpty() ? leafName : leaf.packageName + "." + leafName;
        try (Writer w = processingEnv.getFiler().createSourceFile(qualified, proxy).openWriter()) {
            w.write(source);
        }
    }

    /** One leaf being written: the proxy as the leaf's supertype, and the members it forwards. */
    private final class Leaf {
        final TypeElement proxy;
        final String name;
        final String packageName;
        final DeclaredType superType;
        final TypeMirror delegateType;

        Leaf(TypeElement proxy, String name) throws Invalid {
            this.proxy = proxy;
            this.name = name;
            this.packageName = packageOf(proxy).getQualifiedName().toString();
            List<TypeMirror> args = new ArrayList<>();
            for (TypeParameterElement p : proxy.getTypeParameters()) {
                args.add(processingEnv.getTypeUtils().erasure(p.asType())); // the bound: StatementProxy<Statement>
            }
            this.superType = processingEnv.getTypeUtils().getDeclaredType(proxy, args.toArray(new TypeMirror[0]));
            this.delegateType = processingEnv.getTypeUtils().asMemberOf(superType, field("delegate"));
            if (method("check") == null) {
                throw new Invalid(proxy, proxy.getSimpleName() + " needs a check(SQLException) method: the leaf passes every failure through it");
            }
        }

        String source() throws Invalid {
            StringBuilder b = new StringBuilder();
            b.append("// Generated at compile time by ").append(ForwardingLeafProcessor.class.getName()).append(" from ")
                    .append(proxy.getSimpleName()).append(" and the java.sql API of this build; not committed, do not edit.\n");
            if (!packageName.isEmpty()) {
                b.append("package ").append(packageName).append(";\n\n");
            }
            b.append("/** {@link ").append(proxy.getSimpleName()).append("} with every method it leaves abstract forwarded to the driver's object. */\n");
            b.append("@SuppressWarnings({\"deprecation\", \"removal\"})\n");
            b.append("final class ").append(name).append(" extends ").append(type(superType)).append(" {\n");
            for (ExecutableElement c : ElementFilter.constructorsIn(proxy.getEnclosedElements())) {
                if (!c.getModifiers().contains(Modifier.PRIVATE)) {
                    constructor(b, c);
                }
            }
            for (ExecutableElement m : forwarded()) {
                method(b, m);
            }
            b.append("}\n");
            return b.toString();
        }

        private VariableElement field(String fieldName) throws Invalid {
            for (TypeElement t = proxy; t != null; t = superclass(t)) {
                for (VariableElement f : ElementFilter.fieldsIn(t.getEnclosedElements())) {
                    if (f.getSimpleName().contentEquals(fieldName) && !f.getModifiers().contains(Modifier.PRIVATE)) {
                        return f;
                    }
                }
            }
            throw new Invalid(proxy, proxy.getSimpleName() + " needs a non-private field named " + fieldName
                    + ": the driver's object the leaf forwards to");
        }

        private ExecutableElement method(String methodName) {
            for (TypeElement t = proxy; t != null; t = superclass(t)) {
                for (ExecutableElement m : ElementFilter.methodsIn(t.getEnclosedElements())) {
                    if (m.getSimpleName().contentEquals(methodName) && m.getParameters().size() == 1
                            && !m.getModifiers().contains(Modifier.PRIVATE)) {
                        return m;
                    }
                }
            }
            return null;
        }

        /** The interface methods no class of the proxy implements, one per signature, in a stable order. */
        private List<ExecutableElement> forwarded() throws Invalid {
            List<TypeElement> classes = new ArrayList<>();
            for (TypeElement t = proxy; t != null; t = superclass(t)) {
                classes.add(t);
            }
            Map<String, ExecutableElement> open = new LinkedHashMap<>();
            for (TypeElement c : classes) {
                for (ExecutableElement m : ElementFilter.methodsIn(c.getEnclosedElements())) {
                    if (m.getModifiers().contains(Modifier.ABSTRACT) && !implementsInterfaceMethod(m)) {
                        throw new Invalid(m, c.getSimpleName() + "." + m.getSimpleName()
                                + " is abstract but no java interface declares it: the leaf has nothing to forward it to");
                    }
                }
            }
            for (TypeElement i : interfaces()) {
                for (ExecutableElement m : ElementFilter.methodsIn(i.getEnclosedElements())) {
                    if (m.getModifiers().contains(Modifier.STATIC) || m.getModifiers().contains(Modifier.PRIVATE)
                            || implemented(m, classes)) {
                        continue;
                    }
                    String key = m.getSimpleName() + erasedParams(m);
                    ExecutableElement seen = open.get(key);
                    if (seen == null || processingEnv.getTypeUtils().isSubtype(
                            processingEnv.getTypeUtils().erasure(m.getEnclosingElement().asType()),
                            processingEnv.getTypeUtils().erasure(seen.getEnclosingElement().asType()))) {
                        open.put(key, m); // the most specific declaration wins (its throws clause, its deprecation)
                    }
                }
            }
            List<ExecutableElement> methods = new ArrayList<>(open.values());
            for (ExecutableElement m : methods) {
                refuse(m);
            }
            methods.sort(Comparator.comparing((ExecutableElement m) -> m.getSimpleName().toString())
                    .thenComparing(this::erasedParams));
            return methods;
        }

        private boolean implementsInterfaceMethod(ExecutableElement classMethod) {
            for (TypeElement i : interfaces()) {
                for (ExecutableElement m : ElementFilter.methodsIn(i.getEnclosedElements())) {
                    if (processingEnv.getElementUtils().overrides(classMethod, m, proxy)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean implemented(ExecutableElement interfaceMethod, List<TypeElement> classes) {
            for (TypeElement c : classes) {
                for (ExecutableElement m : ElementFilter.methodsIn(c.getEnclosedElements())) {
                    if (!m.getModifiers().contains(Modifier.ABSTRACT)
                            && processingEnv.getElementUtils().overrides(m, interfaceMethod, proxy)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The methods whose forwarding would lose what the pool must do: the proxy must write them. */
        private void refuse(ExecutableElement m) throws Invalid {
            String methodName = m.getSimpleName().toString();
            String where = proxy.getSimpleName() + " leaves " + m.getEnclosingElement().getSimpleName() + "." + methodName
                    + params(m) + " to the generator, which never forwards it: ";
            if (HAND_WRITTEN.contains(methodName)) {
                throw new Invalid(proxy, where + "it hands out the driver's object, which the pool must know; write it by hand");
            }
            if (methodName.startsWith("execute")) {
                throw new Invalid(proxy, where + "it runs SQL, so it must mark the transaction as holding work; write it by hand");
            }
            TypeMirror returned = processingEnv.getTypeUtils().erasure(m.getReturnType());
            for (String proxied : PROXIED) {
                TypeElement t = processingEnv.getElementUtils().getTypeElement(proxied);
                if (t != null && returned.getKind() == TypeKind.DECLARED
                        && processingEnv.getTypeUtils().isAssignable(returned, processingEnv.getTypeUtils().erasure(t.asType()))) {
                    throw new Invalid(proxy, where + "it returns a " + proxied
                            + ", which the caller must get as a proxy, never as the driver's object; write it by hand");
                }
            }
            TypeMirror declaring = processingEnv.getTypeUtils().erasure(m.getEnclosingElement().asType());
            if (!processingEnv.getTypeUtils().isSubtype(processingEnv.getTypeUtils().erasure(delegateType), declaring)) {
                throw new Invalid(proxy, where + "the delegate field (" + delegateType + ") is not a " + declaring);
            }
        }

        private List<TypeElement> interfaces() {
            Map<String, TypeElement> all = new LinkedHashMap<>();
            collectInterfaces(superType, all);
            return new ArrayList<>(all.values());
        }

        private void collectInterfaces(TypeMirror type, Map<String, TypeElement> into) {
            for (TypeMirror s : processingEnv.getTypeUtils().directSupertypes(type)) {
                TypeElement e = (TypeElement) processingEnv.getTypeUtils().asElement(s);
                if (e.getKind() == ElementKind.INTERFACE) {
                    into.putIfAbsent(e.getQualifiedName().toString(), e);
                }
                collectInterfaces(s, into);
            }
        }

        private ExecutableType asMember(ExecutableElement m) {
            return (ExecutableType) processingEnv.getTypeUtils().asMemberOf(superType, m);
        }

        private String erasedParams(ExecutableElement m) {
            return asMember(m).getParameterTypes().stream().map(t -> processingEnv.getTypeUtils().erasure(t).toString())
                    .collect(Collectors.joining(",", "(", ")"));
        }

        private String params(ExecutableElement m) {
            return asMember(m).getParameterTypes().stream().map(ForwardingLeafProcessor::type).collect(Collectors.joining(", ", "(", ")"));
        }

        private void constructor(StringBuilder b, ExecutableElement c) {
            ExecutableType t = asMember(c);
            b.append("    ").append(name).append('(');
            appendParameters(b, t.getParameterTypes(), c.isVarArgs());
            b.append(')');
            appendThrows(b, t.getThrownTypes());
            b.append(" {\n        super(").append(arguments(t.getParameterTypes().size())).append(");\n    }\n");
        }

        private void method(StringBuilder b, ExecutableElement m) {
            ExecutableType t = asMember(m);
            b.append('\n');
            Deprecated deprecated = m.getAnnotation(Deprecated.class);
            if (deprecated != null) {
                b.append(deprecated.forRemoval() ? "    @Deprecated(forRemoval = true)\n" : "    @Deprecated\n");
            }
            b.append("    @Override\n    public ");
            if (!t.getTypeVariables().isEmpty()) {
                b.append(t.getTypeVariables().stream().map(v -> {
                    TypeMirror bound = v.getUpperBound();
                    return bound.toString().equals("java.lang.Object") ? type(v) : type(v) + " extends " + type(bound);
                }).collect(Collectors.joining(", ", "<", "> ")));
            }
            b.append(type(t.getReturnType())).append(' ').append(m.getSimpleName()).append('(');
            appendParameters(b, t.getParameterTypes(), m.isVarArgs());
            b.append(')');
            appendThrows(b, t.getThrownTypes());
            b.append(" {\n");
            String call = "delegate." + m.getSimpleName() + "(" + arguments(t.getParameterTypes().size()) + ");";
            String statement = (t.getReturnType().getKind() == TypeKind.VOID ? "" : "return ") + call;
            List<TypeMirror> checked = checkedFailures(t.getThrownTypes());
            if (checked.isEmpty()) {
                b.append("        ").append(statement).append('\n');
            } else {
                b.append("        try {\n            ").append(statement).append('\n');
                for (TypeMirror failure : checked) {
                    b.append("        } catch (").append(type(failure)).append(" e) {\n            throw check(e);\n");
                }
                b.append("        }\n");
            }
            b.append("    }\n");
        }

        /** The declared SQLException types, without those another one already catches. */
        private List<TypeMirror> checkedFailures(List<? extends TypeMirror> thrown) {
            TypeMirror sql = processingEnv.getElementUtils().getTypeElement(SQL_EXCEPTION).asType();
            List<TypeMirror> result = new ArrayList<>();
            for (TypeMirror t : thrown) {
                if (!processingEnv.getTypeUtils().isSubtype(t, sql)) {
                    continue;
                }
                boolean covered = false;
                for (TypeMirror other : thrown) {
                    if (other != t && processingEnv.getTypeUtils().isSubtype(other, sql)
                            && processingEnv.getTypeUtils().isSubtype(t, other) && !processingEnv.getTypeUtils().isSameType(t, other)) {
                        covered = true;
                    }
                }
                if (!covered) {
                    result.add(t);
                }
            }
            return result;
        }

        private void appendParameters(StringBuilder b, List<? extends TypeMirror> params, boolean varArgs) {
            for (int i = 0; i < params.size(); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                String p = type(params.get(i));
                if (varArgs && i == params.size() - 1 && p.endsWith("[]")) {
                    p = p.substring(0, p.length() - 2) + "...";
                }
                b.append(p).append(" p").append(i);
            }
        }

        private void appendThrows(StringBuilder b, List<? extends TypeMirror> thrown) {
            if (!thrown.isEmpty()) {
                b.append(" throws ").append(thrown.stream().map(ForwardingLeafProcessor::type).collect(Collectors.joining(", ")));
            }
        }

        private TypeElement superclass(TypeElement t) {
            TypeMirror s = t.getSuperclass();
            if (s.getKind() != TypeKind.DECLARED) {
                return null;
            }
            TypeElement e = (TypeElement) processingEnv.getTypeUtils().asElement(s);
            return e.getQualifiedName().contentEquals("java.lang.Object") ? null : e;
        }
    }

    private static PackageElement packageOf(Element e) {
        Element p = e;
        while (p.getKind() != ElementKind.PACKAGE) {
            p = p.getEnclosingElement();
        }
        return (PackageElement) p;
    }

    private static String arguments(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "p" : ", p").append(i);
        }
        return b.toString();
    }

    /** The source form of a type: fully qualified, except java.lang's own top-level names. */
    static String type(TypeMirror t) {
        return t.toString().replaceAll("\\bjava\\.lang\\.(?=[A-Z])", "");
    }
}
