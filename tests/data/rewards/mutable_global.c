// expect: compile_error
// message: reward.c:3: global variable 'last_angle' is mutable
double last_angle = 0.0;
double compute_reward(const env_state *s, reward_terms *t) {
    double d = s->pole_angle - last_angle;
    last_angle = s->pole_angle;
    return term(t, "progress", -d);
}
