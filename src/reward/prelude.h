/* The eureka reward prelude: everything a reward function may use.
 *
 * A reward is C code that defines exactly
 *     double compute_reward(const env_state *s, reward_terms *t);
 * It is compiled with this prelude and the task's env.h in front of it, without the
 * C library: only the functions declared here exist. No #include, no #pragma, no asm,
 * no global or static variables that change. It is called once per environment step.
 *
 * Record every component of the reward with term(): the return value of
 * compute_reward trains the policy; the components are logged and reported back. */

typedef struct reward_terms reward_terms;

/* Record component `name` (a C identifier; at most 16 distinct names) with `value`
 * for this step, and return `value`, so it can be used inline:
 *     return term(t, "distance", -d) + term(t, "bonus", d < 0.1 ? 1.0 : 0.0);   */
double term(reward_terms *t, const char *name, double value);

/* math (the C library's, double precision) */
double sqrt(double x);
double cbrt(double x);
double exp(double x);
double expm1(double x);
double log(double x);
double log1p(double x);
double log2(double x);
double log10(double x);
double pow(double x, double y);
double sin(double x);
double cos(double x);
double tan(double x);
double asin(double x);
double acos(double x);
double atan(double x);
double atan2(double y, double x);
double sinh(double x);
double cosh(double x);
double tanh(double x);
double fabs(double x);
double floor(double x);
double ceil(double x);
double round(double x);
double fmod(double x, double y);
double fmin(double x, double y);
double fmax(double x, double y);
double hypot(double x, double y);
double copysign(double x, double y);

#define PI 3.14159265358979323846

/* 1 if x is neither NaN nor infinite */
static inline int is_finite(double x) { return x == x && x - x == 0.0; }

/* x limited to [lo, hi] */
static inline double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* squared value */
static inline double square(double x) { return x * x; }

/* dot product of 3-vectors */
static inline double vec3_dot(const double a[3], const double b[3]) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Euclidean length of a 3-vector */
static inline double vec3_norm(const double a[3]) { return sqrt(vec3_dot(a, a)); }

/* out = a - b */
static inline void vec3_sub(double out[3], const double a[3], const double b[3]) {
    out[0] = a[0] - b[0]; out[1] = a[1] - b[1]; out[2] = a[2] - b[2];
}

/* Euclidean distance between two points */
static inline double vec3_dist(const double a[3], const double b[3]) {
    double d[3];
    vec3_sub(d, a, b);
    return vec3_norm(d);
}

/* Quaternions are (w, x, y, z), unit length, as in MuJoCo. */

/* out = conjugate of q (the inverse rotation) */
static inline void quat_conj(double out[4], const double q[4]) {
    out[0] = q[0]; out[1] = -q[1]; out[2] = -q[2]; out[3] = -q[3];
}

/* out = a * b (rotation b, then rotation a) */
static inline void quat_mul(double out[4], const double a[4], const double b[4]) {
    double w = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
    double x = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
    double y = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
    double z = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
    out[0] = w; out[1] = x; out[2] = y; out[3] = z;
}

/* angle in radians, in [0, pi], of the rotation that takes orientation b to orientation a:
 * 2 * asin(|vec(a * conj(b))|) */
static inline double quat_angle(const double a[4], const double b[4]) {
    double bc[4], d[4];
    quat_conj(bc, b);
    quat_mul(d, a, bc);
    double v = sqrt(d[1] * d[1] + d[2] * d[2] + d[3] * d[3]);
    return 2.0 * asin(clamp(v, 0.0, 1.0));
}

/* rotate 3-vector v by unit quaternion q */
static inline void quat_rotate(double out[3], const double q[4], const double v[3]) {
    double p[4] = {0.0, v[0], v[1], v[2]}, qc[4], t[4], r[4];
    quat_conj(qc, q);
    quat_mul(t, q, p);
    quat_mul(r, t, qc);
    out[0] = r[1]; out[1] = r[2]; out[2] = r[3];
}
