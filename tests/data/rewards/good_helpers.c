// expect: ok
// Helpers, a constant table, macros and a const global are all fine.
#define W_UP 1.0
#define SQ(x) ((x) * (x))
static const double weights[3] = {1.0, 0.1, 0.01};
const double scale = 2.0;

static double smooth(double x, double width) { return exp(-SQ(x / width)); }

double compute_reward(const env_state *s, reward_terms *t) {
    double up = term(t, "upright", W_UP * smooth(s->pole_angle, 0.3));
    double c = term(t, "centre", -weights[1] * fabs(s->cart_pos));
    double v = term(t, "still", -weights[2] * (SQ(s->cart_vel) + SQ(s->pole_angvel)));
    double alive = term(t, "alive", s->step < 500 ? 0.1 * scale : 0.0);
    const char *unused = "a string with // not a comment and a \" quote";
    (void)unused;
    return up + c + v + alive;
}
