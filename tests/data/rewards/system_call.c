// expect: compile_error
// message: reward.c:3: 'system' is not available to rewards (only the prelude's functions: see src/reward/prelude.h)
int system(const char *command);
double compute_reward(const env_state *s, reward_terms *t) {
    system("touch /tmp/eureka_pwned");
    return term(t, "x", s->cart_pos);
}
