// reorient, expert reward: the form of IsaacGymEnvs' ShadowHand cube reward (inverse
// rotation distance, small action penalty, bonus inside the success angle). No term
// for keeping the fingertips on the cube.
double compute_reward(const env_state *s, reward_terms *t) {
    double rot_dist = quat_angle(s->cube_quat, s->goal_quat);
    double action_sq = 0.0;
    for (int j = 0; j < N_JOINTS; j++) action_sq += square(s->action[j]);
    double r = 0.0;
    r += term(t, "rot_reward", 1.0 / (rot_dist + 0.1));
    r += term(t, "action_penalty", -2e-4 * action_sq);
    r += term(t, "success_bonus", rot_dist < SUCCESS_ANGLE ? 2.5 : 0.0);
    return r;
}
