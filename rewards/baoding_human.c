// baoding, expert reward: the form of MyoChallenge 2022's Baoding reward (MyoSuite
// baoding_v1): minus 5 x each ball's distance to its target, -500 when a ball leaves the
// palm (the episode ends there), and a small effort term (minus 0.1 x the norm of the muscle
// activations, divided by the number of muscles).
double compute_reward(const env_state *s, reward_terms *t) {
    double d0 = vec3_dist(s->ball_pos[0], s->target_pos[0]);
    double d1 = vec3_dist(s->ball_pos[1], s->target_pos[1]);
    int dropped = 0;
    for (int i = 0; i < N_BALLS; i++)
        if (hypot(s->ball_pos[i][0], s->ball_pos[i][1]) > DROP_RADIUS) dropped = 1;
    double act_sq = 0.0;
    for (int k = 0; k < N_MUSCLES; k++) act_sq += square(s->activation[k]);
    double r = 0.0;
    r += term(t, "pos_dist_1", -5.0 * d0);
    r += term(t, "pos_dist_2", -5.0 * d1);
    r += term(t, "drop_penalty", dropped ? -500.0 : 0.0);
    r += term(t, "act_reg", -0.1 * sqrt(act_sq) / N_MUSCLES);
    return r;
}
