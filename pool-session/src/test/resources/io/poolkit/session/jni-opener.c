/*
 * Loaded into the worker JVM by a hostile snippet in NativeCodeTest (System.load of a file it wrote
 * to /tmp). On load it uses JNI, which ignores module boundaries, to open the worker module's
 * packages to everyone: after that plain reflection reaches the worker's link and executors.
 * Compiled by the test with the host's gcc against the JDK's own jni.h.
 */
#include <jni.h>

static void open_to_all(JNIEnv *env, jobject module, jmethodID add_opens, const char *pkg) {
    jstring name = (*env)->NewStringUTF(env, pkg);
    (*env)->CallVoidMethod(env, module, add_opens, name);
    (*env)->ExceptionClear(env);
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void) reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    jclass worker = (*env)->FindClass(env, "io/poolkit/session/internal/worker/WorkerMain");
    jclass classClass = (*env)->FindClass(env, "java/lang/Class");
    jclass moduleClass = (*env)->FindClass(env, "java/lang/Module");
    if (worker == NULL || classClass == NULL || moduleClass == NULL) {
        (*env)->ExceptionClear(env);
        return JNI_VERSION_1_8;
    }
    jmethodID getModule = (*env)->GetMethodID(env, classClass, "getModule", "()Ljava/lang/Module;");
    jmethodID addOpens = (*env)->GetMethodID(env, moduleClass, "implAddOpens", "(Ljava/lang/String;)V");
    if (getModule == NULL || addOpens == NULL) {
        (*env)->ExceptionClear(env);
        return JNI_VERSION_1_8;
    }
    jobject module = (*env)->CallObjectMethod(env, worker, getModule);
    open_to_all(env, module, addOpens, "io.poolkit.session.internal.worker");
    open_to_all(env, module, addOpens, "io.poolkit.session.internal.wire");
    open_to_all(env, module, addOpens, "io.poolkit.session.snippet");
    return JNI_VERSION_1_8;
}
